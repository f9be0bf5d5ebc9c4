using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>One commit's deliveries, waiting for the publisher: entry i of a device sits at its slot's N + i.</summary>
public sealed record PendingDelivery(
    IReadOnlyList<InboxSlot> Slots, IReadOnlyList<InboxEntry> Entries, IReadOnlyDictionary<DeviceAddress, string> PushTokens)
{
    public int Count => Slots.Count * Entries.Count;
}

/// <summary>
/// What one publishing round sends, decided from the commits queued for it and where their devices' sockets are:
/// one event per gateway instance for all of them, in queue order, so each device sees its entries in inbox order.
/// </summary>
public static class DeliveryRound
{
    /// <summary>
    /// A round stops taking commits past this many deliveries (one commit is never split): with entries of at most
    /// 64 KiB, an event stays well inside the sidecars' 64 MiB message limit (DaprMessageLimits).
    /// </summary>
    public const int MaxDeliveries = 512;

    /// <summary>Whether a round already holding <paramref name="taken"/> deliveries takes the next commit too.</summary>
    public static bool Takes(int taken, PendingDelivery next) => taken == 0 || taken + next.Count <= MaxDeliveries;

    /// <summary>The devices whose sockets the round must locate.</summary>
    public static IReadOnlyList<DeviceAddress> Devices(IReadOnlyList<PendingDelivery> round) =>
        [.. round.SelectMany(p => p.Slots).Select(s => s.Device).Distinct()];

    /// <summary>One batch per gateway instance holding any of the round's devices, entries in queue order.</summary>
    public static IReadOnlyList<(string Instance, DeliveryBatch Batch)> Events(
        IReadOnlyList<PendingDelivery> round, IReadOnlyDictionary<DeviceAddress, Presence> located) =>
    [
        .. round
            .SelectMany(p => p.Slots.SelectMany(s => p.Entries.Select((entry, i) => (s.Device, Delivery: new Contracts.Delivery(s.Device.UserId, s.Device.ClientId, s.N + i, entry)))))
            .Where(d => located.ContainsKey(d.Device))
            .GroupBy(d => located[d.Device].GatewayInstanceId, StringComparer.Ordinal)
            .Select(g => (g.Key, new DeliveryBatch([.. g.Select(d => d.Delivery)]))),
    ];

    /// <summary>A commit's devices with no socket, each at its last entry: the one a push for the commit is about.</summary>
    public static IReadOnlyList<InboxSlot> Offline(PendingDelivery pending, IReadOnlyDictionary<DeviceAddress, Presence> located) =>
        [.. pending.Slots.Where(s => !located.ContainsKey(s.Device)).Select(s => s with { N = s.N + pending.Entries.Count - 1 })];
}
