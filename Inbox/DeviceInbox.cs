using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Natter.Contracts;
using Natter.State;

namespace Natter.Inbox;

/// <summary>
/// The one owner of a device's inbox: head, tail and entries. The chat service appends; the gateway reads, acks and
/// moves the tail; deactivation and the retention sweep drop and purge. Invariants:
/// <list type="bullet">
/// <item>entry n exists only below head, and head only grows (it is never deleted), so an entry number, and with it a
/// delivery id, is used once per device for ever;</item>
/// <item>tail only grows; every entry below it is done;</item>
/// <item>an entry is deleted only when the device acknowledged it, when it expired, or when the device was retired.</item>
/// </list>
/// </summary>
public sealed class DeviceInbox(DaprClient dapr, ILogger<DeviceInbox> logger)
{
    /// <summary>
    /// The largest append: one copy of the entry per device in one transaction, within the sidecar's message limit
    /// (<see cref="DaprMessageLimits"/>) with room for the heads and what the caller commits alongside.
    /// </summary>
    public const long MaxAppendBytes = DaprMessageLimits.Bytes - (4 * 1024 * 1024);

    /// <summary>Entries read per store call when they are small; pages shrink when a reply would exceed the gRPC limit.</summary>
    public const int PageSize = 500;

    // A device that many busy chats write to at once is a hot key. Its writers take turns until the caller's deadline
    // (the actor turn's timeout) rather than for a fixed count: a late message beats a refused one.
    private const int AppendAttempts = int.MaxValue;

    /// <summary>Creates the head if absent, so the device's first append is guarded by an etag like every later one.</summary>
    public Task EnsureHeadAsync(DeviceAddress device, CancellationToken ct) =>
        dapr.UpdateAsync<InboxHead>(InboxKeys.Head(device), head => head is null ? StateChange<InboxHead>.Save(new InboxHead(0)) : StateChange<InboxHead>.Keep, ct);

    /// <summary>
    /// Appends one item to many device inboxes in ONE state transaction: every head (etag-guarded), every entry (with
    /// the 30-day TTL), plus what the caller must commit atomically with it (chat document, indexes, dedupe record).
    /// Two chats writing to one device race on its head; the loser reads again and retries, so no entry is lost and no
    /// number is used twice. The fenced document (the chat) is read in the same bulk read as the heads, and the
    /// caller's operations are built from that read, so they can be guarded by its etag at no extra round trip.
    /// </summary>
    public async Task<IReadOnlyList<InboxSlot>> AppendAsync(
        IReadOnlyList<DeviceAddress> devices,
        InboxEntry entry,
        string fencedKey,
        Func<(string? Json, string? ETag), CancellationToken, Task<IReadOnlyList<StateTransactionRequest>>> alsoCommit,
        CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(entry, NatterJson.Options);
        var distinct = devices.Distinct().ToList();
        if ((long)body.Length * distinct.Count > MaxAppendBytes)
        {
            // Refused before anything is written: a transaction over the limit fails on every attempt.
            throw new AppendTooLargeException(body.Length, distinct.Count);
        }
        return await NatterState.RetryOnConflictAsync(async () =>
        {
            var read = await dapr.ReadManyRawAsync([.. distinct.Select(InboxKeys.Head), fencedKey], ct);
            var headless = distinct.Where(d => read[InboxKeys.Head(d)].ETag is null).ToList();
            if (headless.Count > 0)
            {
                // Heads are created create-only, outside the transaction (state.redis has no create-only inside one),
                // so every head in the transaction below is guarded by an etag.
                await Task.WhenAll(headless.Select(d => EnsureHeadAsync(d, ct)));
                read = await dapr.ReadManyRawAsync([.. distinct.Select(InboxKeys.Head), fencedKey], ct);
            }
            var heads = distinct.ToDictionary(d => InboxKeys.Head(d), d =>
            {
                var (json, etag) = read[InboxKeys.Head(d)];
                return (NatterState.Parse<InboxHead>(json), etag);
            });
            var (operations, slots) = PlanAppend(distinct, heads, body);
            operations.AddRange(await alsoCommit(read[fencedKey], ct));
            await dapr.CommitAsync(operations, ct);
            return slots;
        }, logger, ct, AppendAttempts);
    }

    /// <summary>The transaction for one append, given the heads as read. Pure, so it is unit-tested.</summary>
    internal static (List<StateTransactionRequest> Operations, List<InboxSlot> Slots) PlanAppend(
        IReadOnlyList<DeviceAddress> devices, IReadOnlyDictionary<string, (InboxHead? Value, string? ETag)> heads, byte[] body) =>
        PlanAppend(devices, heads, [body]);

    /// <summary>
    /// The transaction for appending several entries in order, given the heads as read: each device's entries take
    /// consecutive numbers from its head, and its head moves once, past them all. The slots are the first entry's; entry
    /// i of a device sits at its slot's N + i. Pure, so it is unit-tested.
    /// </summary>
    internal static (List<StateTransactionRequest> Operations, List<InboxSlot> Slots) PlanAppend(
        IReadOnlyList<DeviceAddress> devices, IReadOnlyDictionary<string, (InboxHead? Value, string? ETag)> heads, IReadOnlyList<byte[]> bodies)
    {
        var operations = new List<StateTransactionRequest>(devices.Count * (bodies.Count + 1));
        var slots = new List<InboxSlot>(devices.Count);
        foreach (var device in devices.Distinct())
        {
            var (head, etag) = heads.TryGetValue(InboxKeys.Head(device), out var h) ? h : (null, null);
            var n = head?.Next ?? 0;
            // No etag means the head was absent: the upsert is then create-only, so a concurrent first append conflicts.
            operations.Add(NatterState.Upsert(InboxKeys.Head(device), new InboxHead(n + bodies.Count), etag));
            for (var i = 0; i < bodies.Count; i++)
            {
                operations.Add(NatterState.Put(InboxKeys.Entry(device, n + i), bodies[i], NatterState.RetentionTtl));
            }
            slots.Add(new InboxSlot(device, n));
        }
        return (operations, slots);
    }

    public async Task<(long Tail, long Head)> BoundsAsync(DeviceAddress device, CancellationToken ct)
    {
        // One bulk read for both documents: each parses as a Bound with only its own field set.
        var docs = await dapr.ReadManyAsync<Bound>([InboxKeys.Tail(device), InboxKeys.Head(device)], ct);
        return (docs[InboxKeys.Tail(device)].Value?.Lowest ?? 0, docs[InboxKeys.Head(device)].Value?.Next ?? 0);
    }

    public async Task<long> HeadAsync(DeviceAddress device, CancellationToken ct)
    {
        var (head, _) = await dapr.ReadAsync<InboxHead>(InboxKeys.Head(device), ct);
        return head?.Next ?? 0;
    }

    /// <summary>The inbox heads of many devices in one bulk read.</summary>
    public async Task<IReadOnlyDictionary<DeviceAddress, long>> HeadsAsync(IReadOnlyCollection<DeviceAddress> devices, CancellationToken ct)
    {
        var heads = await dapr.ReadManyAsync<InboxHead>([.. devices.Select(InboxKeys.Head)], ct);
        return devices.ToDictionary(d => d, d => heads[InboxKeys.Head(d)].Value?.Next ?? 0);
    }

    /// <summary>
    /// Entries [from, to) in order; a null entry was acked or expired. Large entries shrink the page: a reply over the
    /// gRPC message limit is read again in halves, down to one entry, so no entry size within the message limit can
    /// make an inbox undeliverable.
    /// </summary>
    public async Task<IReadOnlyList<(long N, InboxEntry? Entry)>> ReadAsync(DeviceAddress device, long from, long to, CancellationToken ct)
    {
        var result = new List<(long, InboxEntry?)>((int)Math.Min(to - from, PageSize));
        var page = (int)Math.Min(to - from, PageSize);
        for (var start = from; start < to;)
        {
            var end = Math.Min(to, start + page);
            try
            {
                var keys = new List<string>((int)(end - start));
                for (var n = start; n < end; n++)
                {
                    keys.Add(InboxKeys.Entry(device, n));
                }
                var entries = await dapr.ReadManyAsync<InboxEntry>(keys, ct);
                for (var i = 0; i < keys.Count; i++)
                {
                    result.Add((start + i, entries[keys[i]].Value));
                }
                start = end;
            }
            catch (DaprException e) when (page > 1 && e.InnerException is RpcException { StatusCode: StatusCode.ResourceExhausted })
            {
                page = Math.Max(1, page / 2);
                logger.LogDebug("Inbox page of {Device} over the message limit; reading {Page} entries at a time", device, page);
            }
        }
        return result;
    }

    /// <summary>
    /// The entries still stored between tail and head, in order: what the device has yet to acknowledge (entries that
    /// were acked, expired or purged are absent). One read of the bounds, then pages of entries.
    /// </summary>
    public async Task<IReadOnlyList<(long N, InboxEntry Entry)>> PendingAsync(DeviceAddress device, CancellationToken ct)
    {
        var (tail, head) = await BoundsAsync(device, ct);
        var entries = tail < head ? await ReadAsync(device, tail, head, ct) : [];
        return [.. entries.Where(e => e.Entry is not null).Select(e => (e.N, e.Entry!))];
    }

    /// <summary>Acknowledged entries, deleted in one transaction. Deleting an entry that is already gone is a no-op.</summary>
    public Task AcknowledgeAsync(DeviceAddress device, IReadOnlyCollection<long> ns, CancellationToken ct) =>
        ns.Count == 0 ? Task.CompletedTask : dapr.CommitAsync([.. ns.Select(n => NatterState.Delete(InboxKeys.Entry(device, n)))], ct);

    /// <summary>The acknowledged entries of many devices, deleted in one transaction.</summary>
    public Task AcknowledgeManyAsync(IReadOnlyCollection<(DeviceAddress Device, IReadOnlyList<long> Entries)> acked, CancellationToken ct) =>
        acked.Sum(a => a.Entries.Count) == 0 ? Task.CompletedTask : dapr.CommitAsync([.. AcknowledgeOperations(acked)], ct);

    /// <summary>
    /// The deletes of acknowledged entries, for a caller that commits them with its own operations (a chat's delivered
    /// report, so the acks of its messages cost no call of their own). Deleting an entry already gone is a no-op.
    /// </summary>
    public static IEnumerable<StateTransactionRequest> AcknowledgeOperations(IEnumerable<(DeviceAddress Device, IReadOnlyList<long> Entries)> acked) =>
        acked.SelectMany(a => a.Entries.Select(n => NatterState.Delete(InboxKeys.Entry(a.Device, n))));

    /// <summary>Moves the tail forward to lowest; a lower value (a stale socket's farewell after a drop) changes nothing.</summary>
    public Task AdvanceTailAsync(DeviceAddress device, long lowest, CancellationToken ct) =>
        dapr.UpdateAsync<InboxTail>(InboxKeys.Tail(device),
            tail => (tail?.Lowest ?? 0) < lowest ? StateChange<InboxTail>.Save(new InboxTail(lowest)) : StateChange<InboxTail>.Keep, ct);

    /// <summary>
    /// Drops every pending entry of a retired device: the tail moves to the head first, then the entries below it go.
    /// The head stays, so if the client registers again its numbering continues and no delivery id is reused.
    /// Idempotent: a crash part-way is finished by running it again.
    /// </summary>
    public async Task DropAsync(DeviceAddress device, CancellationToken ct)
    {
        var (tail, head) = await BoundsAsync(device, ct);
        await AdvanceTailAsync(device, head, ct);
        await DeleteRangeAsync(device, tail, head, ct);
    }

    /// <summary>Deletes entries enqueued before the cutoff and moves the tail past every leading gap. Returns how many went.</summary>
    public async Task<int> PurgeExpiredAsync(DeviceAddress device, long cutoff, CancellationToken ct)
    {
        var (tail, head) = await BoundsAsync(device, ct);
        var newTail = tail;
        var contiguous = true;
        var purged = new List<long>();
        for (var start = tail; start < head; start += PageSize)
        {
            foreach (var (n, entry) in await ReadAsync(device, start, Math.Min(head, start + PageSize), ct))
            {
                var gone = entry is null || entry.EnqueuedAt < cutoff;
                if (entry is not null && gone)
                {
                    purged.Add(n);
                }
                contiguous &= gone;
                if (contiguous)
                {
                    newTail = n + 1;
                }
            }
        }
        foreach (var chunk in purged.Chunk(PageSize))
        {
            await AcknowledgeAsync(device, chunk, ct);
        }
        await AdvanceTailAsync(device, newTail, ct);
        return purged.Count;
    }

    private async Task DeleteRangeAsync(DeviceAddress device, long from, long to, CancellationToken ct)
    {
        for (var start = from; start < to; start += PageSize)
        {
            var end = Math.Min(to, start + PageSize);
            var ns = new List<long>((int)(end - start));
            for (var n = start; n < end; n++)
            {
                ns.Add(n);
            }
            await AcknowledgeAsync(device, ns, ct);
        }
    }

    private sealed record Bound(long Next, long Lowest);
}

/// <summary>An item whose copies for every device would not fit in one transaction; nothing was written.</summary>
public sealed class AppendTooLargeException(int entryBytes, int devices)
    : Exception($"{devices} copies of a {entryBytes}-byte entry exceed the {DeviceInbox.MaxAppendBytes}-byte append limit")
{
    /// <summary>How many devices the copies were for.</summary>
    public int Devices { get; } = devices;

    /// <summary>The largest entry that fits for this many devices.</summary>
    public long MaxEntryBytes { get; } = DeviceInbox.MaxAppendBytes / Math.Max(1, devices);
}
