using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>
/// One commit's deliveries, waiting for the publisher: entry i of a device sits at its slot's N + i, and is EntryBytes[i]
/// bytes as stored. Sockets is where some of its devices held a socket when the commit's own read looked
/// (<see cref="FanOutAppend.Sockets"/>); the others are looked up when the round is published.
/// </summary>
public sealed record PendingDelivery(
    IReadOnlyList<InboxSlot> Slots, IReadOnlyList<InboxEntry> Entries, IReadOnlyList<int> EntryBytes,
    IReadOnlyDictionary<DeviceAddress, string> PushTokens, IReadOnlyDictionary<DeviceAddress, Presence> Sockets)
{
    public int Count => Slots.Count * Entries.Count;

    /// <summary>What it holds in memory while queued: its entries once, however many devices they go to.</summary>
    public long StoredBytes => EntryBytes.Sum(b => (long)b);

    /// <summary>About what its deliveries weigh in events: every device gets a copy of every entry.</summary>
    public long Bytes => Slots.Count * (StoredBytes + (Entries.Count * DeliveryRound.DeliveryOverheadBytes));
}

/// <summary>
/// What one publishing round sends, decided from the commits queued for it and where their devices' sockets are:
/// one event per gateway instance for all of them (more when they weigh more than <see cref="MaxEventBytes"/>), in
/// queue order, so each device sees its entries in inbox order.
/// </summary>
public static class DeliveryRound
{
    /// <summary>A round stops taking commits past this many deliveries; one commit is never split across rounds.</summary>
    public const int MaxDeliveries = 512;

    /// <summary>
    /// An event carries at most about this much, so it stays far below the gateway's request body limit (Kestrel's 30 MB
    /// default) and the sidecars' message limit (DaprMessageLimits), even if the estimate is off by half. A round stops
    /// taking commits past it too.
    /// </summary>
    public const long MaxEventBytes = 8 * 1024 * 1024;

    /// <summary>A delivery's own fields around its entry (user, client id, number), generously.</summary>
    public const int DeliveryOverheadBytes = 256;

    /// <summary>Whether a round already holding these deliveries takes the next commit too: the first always.</summary>
    public static bool Takes(int count, long bytes, PendingDelivery next) =>
        count == 0 || (count + next.Count <= MaxDeliveries && bytes + next.Bytes <= MaxEventBytes);

    /// <summary>
    /// The devices whose sockets the round must still look up: those no commit's own read found holding one. A device
    /// that had none then is looked up again, after its commit, so one that connected meanwhile is not skipped.
    /// </summary>
    public static IReadOnlyList<DeviceAddress> Unlocated(IReadOnlyList<PendingDelivery> round)
    {
        // One set, not a scan of every commit per device: a full round is 512 deliveries.
        var seen = round.SelectMany(p => p.Sockets.Keys).ToHashSet();
        return [.. round.SelectMany(p => p.Slots).Select(s => s.Device).Distinct().Where(d => !seen.Contains(d))];
    }

    /// <summary>
    /// Where each of the round's devices holds a socket: the latest commit's read of it, or else the lookup made for the
    /// round (<see cref="Unlocated"/>).
    /// </summary>
    public static IReadOnlyDictionary<DeviceAddress, Presence> Located(
        IReadOnlyList<PendingDelivery> round, IReadOnlyDictionary<DeviceAddress, Presence> lookedUp)
    {
        var located = new Dictionary<DeviceAddress, Presence>(lookedUp);
        foreach (var (device, presence) in round.SelectMany(p => p.Sockets))
        {
            located[device] = presence;
        }
        return located;
    }

    /// <summary>
    /// The events per gateway instance holding any of the round's devices, entries in queue order, each delivery
    /// sealed (<see cref="DeliverySeals"/>) so its gateway need not read the inbox head to believe it.
    /// </summary>
    public static IReadOnlyList<(string Instance, DeliveryBatch Batch)> Events(
        IReadOnlyList<PendingDelivery> round, IReadOnlyDictionary<DeviceAddress, Presence> located, DeliverySeals seals)
    {
        var events = new List<(string, DeliveryBatch)>();
        var deliveries = round.SelectMany(p =>
        {
            var online = p.Slots.Where(s => located.ContainsKey(s.Device)).ToList();
            // One digest per entry, however many devices it goes to; none for a commit whose devices are all offline.
            var digests = online.Count == 0 || !seals.Enabled ? null : p.Entries.Select(DeliverySeals.Digest).ToList();
            return online.SelectMany(s => p.Entries.Select((entry, i) => (
                s.Device,
                Delivery: new Contracts.Delivery(s.Device.UserId, s.Device.ClientId, s.N + i, entry,
                    digests is null ? null : seals.Seal(s.Device, s.N + i, digests[i])),
                Bytes: (long)p.EntryBytes[i] + DeliveryOverheadBytes)));
        });
        foreach (var instance in deliveries.GroupBy(d => located[d.Device].GatewayInstanceId, StringComparer.Ordinal))
        {
            var batch = new List<Contracts.Delivery>();
            long bytes = 0;
            foreach (var (_, delivery, size) in instance)
            {
                if (batch.Count > 0 && bytes + size > MaxEventBytes)
                {
                    events.Add((instance.Key, new DeliveryBatch(batch)));
                    batch = [];
                    bytes = 0;
                }
                batch.Add(delivery);
                bytes += size;
            }
            events.Add((instance.Key, new DeliveryBatch(batch)));
        }
        return events;
    }

    /// <summary>A commit's devices with no socket, each at its last entry: the one a push for the commit is about.</summary>
    public static IReadOnlyList<InboxSlot> Offline(PendingDelivery pending, IReadOnlyDictionary<DeviceAddress, Presence> located) =>
        [.. pending.Slots.Where(s => !located.ContainsKey(s.Device)).Select(s => s with { N = s.N + pending.Entries.Count - 1 })];
}
