namespace Natter.Contracts;

/// <summary>Pub/sub topic per gateway instance: the chat service publishes one batch per instance per fan-out.</summary>
public static class DeliveryTopics
{
    public const string PubSubName = "pubsub";

    public static string ForInstance(string gatewayInstanceId) => $"deliveries-{gatewayInstanceId}";
}

/// <summary>A hint that inbox entries exist; pub/sub may lose or duplicate it, the inbox stays the truth.</summary>
public sealed record DeliveryBatch(IReadOnlyList<Delivery> Deliveries);

/// <summary>
/// Entry N of the device (UserId, ClientId) exists. Seal, when the chat service has the shared key, proves it
/// (Natter.Inbox.DeliverySeals); without a valid one a gateway reads the inbox before it believes the event.
/// </summary>
public sealed record Delivery(string UserId, string ClientId, long N, InboxEntry Entry, string? Seal = null);
