using Dapr.Client;
using Natter.ChatService.Inbox;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Delivery;

/// <summary>
/// After the inbox write, tells each gateway instance that holds a recipient's socket: one pub/sub event per instance.
/// Best effort by design: a lost event only delays delivery until the gateway's next inbox check or the reconnect drain.
/// </summary>
public sealed class DeliveryPublisher(DaprClient dapr, ILogger<DeliveryPublisher> logger)
{
    public async Task PublishAsync(IReadOnlyList<InboxSlot> slots, InboxEntry entry, CancellationToken ct)
    {
        if (slots.Count == 0)
        {
            return;
        }
        using var activity = ChatTelemetry.Source.StartActivity("delivery.publish");
        try
        {
            var presence = await dapr.ReadManyAsync<Presence>([.. slots.Select(s => StateKeys.Presence(s.ClientId))], ct);
            var byInstance = slots
                .Select(s => (Slot: s, Presence: presence[StateKeys.Presence(s.ClientId)].Value))
                .Where(x => x.Presence is not null)
                .GroupBy(x => x.Presence!.GatewayInstanceId, StringComparer.Ordinal);
            var publishes = byInstance.Select(group => dapr.PublishEventAsync(
                DeliveryTopics.PubSubName,
                DeliveryTopics.ForInstance(group.Key),
                new DeliveryBatch([.. group.Select(x => new Contracts.Delivery(x.Slot.ClientId, x.Slot.N, entry))]),
                ct));
            await Task.WhenAll(publishes);
            activity?.SetTag("natter.delivery.instances", byInstance.Count());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The entries are durable already; the gateways find them on their next inbox check or reconnect.
            logger.LogWarning(e, "Publishing deliveries failed; recipients will get them from their inbox");
        }
    }
}
