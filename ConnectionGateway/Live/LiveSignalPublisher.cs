using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

/// <summary>
/// Pushes a frame to the online devices of some users, wherever their sockets are, and nowhere else: no inbox entry,
/// no deliveryId, no RECEIVED. A device that is offline, or whose gateway misses the event, simply never sees it.
/// Cost per signal: one bulk read of the users' device registries, one of their presence leases, and one publish per
/// gateway instance that holds at least one of those sockets.
/// </summary>
public sealed class LiveSignalPublisher(DaprClient dapr, DeviceRegistryStore devices, PresenceRegistry presence, TimeProvider time)
{
    /// <summary>Returns how many sockets the signal was addressed to.</summary>
    public async Task<int> PublishAsync(IReadOnlyCollection<string> userIds, TypingFrame typing, TimeSpan lifetime, CancellationToken ct)
    {
        if (userIds.Count == 0)
        {
            return 0;
        }
        var located = await presence.LocateAsync(await devices.ActiveDevicesAsync(userIds, ct), ct);
        var expiresAt = time.GetUtcNow().Add(lifetime).ToUnixTimeMilliseconds();
        await Task.WhenAll(located
            .GroupBy(p => p.Value.GatewayInstanceId, StringComparer.Ordinal)
            .Select(instance => dapr.PublishEventAsync(DeliveryTopics.PubSubName, LiveSignalTopics.ForInstance(instance.Key),
                new LiveSignal([.. instance.Select(p => new LiveTarget(p.Key.UserId, p.Key.ClientId))], expiresAt, typing), ct)));
        return located.Count;
    }
}
