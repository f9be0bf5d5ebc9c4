namespace Natter.Sidecar.PubSub;

/// <summary>One entry of the app's GET /dapr/subscribe answer; Route always starts with a slash.</summary>
public sealed record Subscription(string PubSubName, string Topic, string Route, string? DeadLetterTopic, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The subscriptions read from the app at start-up (daprd reads them once), for delivery and /v1.0/metadata.</summary>
public sealed class SubscriptionRegistry
{
    private volatile IReadOnlyList<Subscription> _all = [];

    public IReadOnlyList<Subscription> All => _all;

    public void Set(IReadOnlyList<Subscription> subscriptions) => _all = subscriptions;
}
