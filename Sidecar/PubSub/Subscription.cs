namespace Natter.Sidecar.PubSub;

/// <summary>One entry of the app's GET /dapr/subscribe answer; Route always starts with a slash.</summary>
/// <param name="RawPayload">metadata rawPayload=true: what is stored is delivered wrapped in a CloudEvent (data_base64).</param>
/// <param name="Bulk">bulkSubscribe.enabled: events are delivered in batches as BulkSubscribeMessage.</param>
public sealed record Subscription(
    string PubSubName,
    string Topic,
    string Route,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    bool RawPayload = false,
    BulkSubscribeOptions? Bulk = null);

/// <summary>bulkSubscribe's limits, with daprd's defaults (default_bulksub.go) for a missing or zero value.</summary>
public sealed record BulkSubscribeOptions(int MaxMessagesCount = BulkSubscribeOptions.DefaultMaxMessagesCount, int MaxAwaitDurationMs = BulkSubscribeOptions.DefaultMaxAwaitDurationMs)
{
    public const int DefaultMaxMessagesCount = 100;
    public const int DefaultMaxAwaitDurationMs = 1000;
}

/// <summary>The subscriptions read from the app at start-up (daprd reads them once), for delivery and /v1.0/metadata.</summary>
public sealed class SubscriptionRegistry
{
    private volatile IReadOnlyList<Subscription> _all = [];

    public IReadOnlyList<Subscription> All => _all;

    public void Set(IReadOnlyList<Subscription> subscriptions) => _all = subscriptions;
}
