using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>
/// After the inbox write, tells each gateway instance that holds a recipient's socket: one pub/sub event per instance.
/// Best effort by design: a lost event only delays delivery until the gateway's next inbox check or the reconnect drain.
/// </summary>
public sealed class DeliveryPublisher(DaprClient dapr, PresenceRegistry presence, PushHandOff push, ILogger<DeliveryPublisher> logger)
{
    /// <summary>For items that notify nobody's phone (receipts).</summary>
    public static readonly IReadOnlyDictionary<DeviceAddress, string> NoPush = new Dictionary<DeviceAddress, string>();

    /// <param name="pushTokens">The recipients' push tokens (from the fan-out's registry read): devices without a socket get a push.</param>
    public Task PublishAsync(IReadOnlyList<InboxSlot> slots, InboxEntry entry, IReadOnlyDictionary<DeviceAddress, string> pushTokens, CancellationToken ct) =>
        PublishAsync(slots, [entry], pushTokens, ct);

    /// <summary>
    /// For entries appended together (<see cref="MemberFanOut"/>): entry i of a device sits at its slot's N + i, and a
    /// gateway gets all of a batch in one event. A device without a socket gets one push for the batch, for its last entry.
    /// </summary>
    public async Task PublishAsync(
        IReadOnlyList<InboxSlot> slots, IReadOnlyList<InboxEntry> entries, IReadOnlyDictionary<DeviceAddress, string> pushTokens, CancellationToken ct)
    {
        if (slots.Count == 0 || entries.Count == 0)
        {
            return;
        }
        using var activity = ChatTelemetry.Source.StartActivity("delivery.publish");
        try
        {
            var located = await presence.LocateAsync([.. slots.Select(s => s.Device)], ct);
            var byInstance = slots
                .Where(s => located.ContainsKey(s.Device))
                .GroupBy(s => located[s.Device].GatewayInstanceId, StringComparer.Ordinal)
                .ToList();
            await Task.WhenAll(byInstance.Select(group => dapr.PublishEventAsync(
                DeliveryTopics.PubSubName,
                DeliveryTopics.ForInstance(group.Key),
                new DeliveryBatch([.. group.SelectMany(s => entries.Select((entry, i) => new Contracts.Delivery(s.Device.UserId, s.Device.ClientId, s.N + i, entry)))]),
                ct)).Append(push.PublishAsync(slots.Where(s => !located.ContainsKey(s.Device)).Select(s => s with { N = s.N + entries.Count - 1 }), pushTokens, entries[^1], ct)));
            activity?.SetTag("natter.delivery.instances", byInstance.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The entries are durable already; the gateways find them on their next inbox check or reconnect.
            logger.LogWarning(e, "Publishing deliveries failed; recipients will get them from their inbox");
        }
    }
}
