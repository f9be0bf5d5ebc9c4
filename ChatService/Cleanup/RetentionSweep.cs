using Dapr.Client;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Cleanup;

public sealed record SweepReport(bool Ran, int UsersVisited, int ClientsDeactivated, int EntriesPurged, int IndexEntriesDropped);

/// <summary>
/// The daily retention sweep. Redis TTL already drops entries after 30 days; the sweep additionally retires clients idle
/// for 30 days (with their inboxes), purges entries the clock says are expired, advances tails and drops index entries
/// of chats the user left. Every sidecar fires the cron, so one run holds an etag-guarded lease and every step is
/// idempotent: two sweeps at once only repeat deletes.
/// </summary>
public sealed class RetentionSweep(DaprClient dapr, TimeProvider time, ILogger<RetentionSweep> logger)
{
    private static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(10);
    private const int PageSize = 200;
    private readonly string _holder = Guid.NewGuid().ToString("N");

    public async Task<SweepReport> RunAsync(CancellationToken ct)
    {
        if (!await TryTakeLeaseAsync(ct))
        {
            logger.LogInformation("Another instance holds the cleanup lease; skipping this fire");
            return new SweepReport(false, 0, 0, 0, 0);
        }
        try
        {
            var cutoff = time.GetUtcNow().Subtract(Retention.Period).ToUnixTimeMilliseconds();
            int users = 0, deactivated = 0, purged = 0, dropped = 0;
            for (var shard = 0; shard < StateKeys.UserShardCount; shard++)
            {
                var (members, _) = await dapr.ReadAsync<UserShard>(StateKeys.UserShard(shard), ct);
                foreach (var userId in members?.Users ?? [])
                {
                    users++;
                    var (retired, active) = await RetireIdleClientsAsync(userId, cutoff, ct);
                    deactivated += retired;
                    foreach (var clientId in active)
                    {
                        purged += await PurgeExpiredEntriesAsync(clientId, cutoff, ct);
                    }
                    dropped += await DropStaleIndexEntriesAsync(userId, ct);
                }
            }
            var report = new SweepReport(true, users, deactivated, purged, dropped);
            logger.LogInformation("Retention sweep done: {Report}", report);
            return report;
        }
        finally
        {
            await dapr.DeleteStateAsync(StateKeys.StoreName, StateKeys.CleanupLease, cancellationToken: CancellationToken.None);
        }
    }

    private async Task<bool> TryTakeLeaseAsync(CancellationToken ct)
    {
        var (lease, etag) = await dapr.ReadAsync<CleanupLease>(StateKeys.CleanupLease, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (lease is not null && lease.ExpiresAt > now)
        {
            return false;
        }
        var mine = new CleanupLease(_holder, now + (long)LeaseLength.TotalMilliseconds);
        try
        {
            await dapr.CommitAsync([NatterState.Upsert(StateKeys.CleanupLease, mine, etag)], ct);
        }
        catch (Exception e) when (NatterState.IsConflict(e))
        {
            return false;
        }
        // A first write without an etag can race; reading back tells who won.
        var (winner, _) = await dapr.ReadAsync<CleanupLease>(StateKeys.CleanupLease, ct);
        return winner?.Holder == _holder;
    }

    /// <summary>Removes clients whose lastSeen is older than the cutoff and drops their inboxes.</summary>
    private async Task<(int Retired, IReadOnlyList<string> Active)> RetireIdleClientsAsync(string userId, long cutoff, CancellationToken ct)
    {
        var idle = await NatterState.RetryOnConflictAsync(async () =>
        {
            var (registry, etag) = await dapr.ReadAsync<DeviceRegistry>(StateKeys.Devices(userId), ct);
            if (registry is null)
            {
                return (Idle: (IReadOnlyList<string>)[], Active: (IReadOnlyList<string>)[]);
            }
            var idle = registry.Clients.Where(c => c.LastSeen < cutoff).ToList();
            var active = registry.Clients.Where(c => c.LastSeen >= cutoff).Select(c => c.ClientId).ToList();
            if (idle.Count > 0)
            {
                var remaining = new DeviceRegistry([.. registry.Clients.Except(idle)]);
                await dapr.CommitAsync([NatterState.Upsert(StateKeys.Devices(userId), remaining, etag)], ct);
            }
            return (Idle: (IReadOnlyList<string>)[.. idle.Select(c => c.ClientId)], Active: (IReadOnlyList<string>)active);
        }, logger, ct);
        foreach (var clientId in idle.Idle)
        {
            await dapr.DropInboxAsync(clientId, ct);
        }
        return (idle.Idle.Count, idle.Active);
    }

    /// <summary>Deletes entries enqueued before the cutoff and moves the tail past every leading gap.</summary>
    private async Task<int> PurgeExpiredEntriesAsync(string clientId, long cutoff, CancellationToken ct)
    {
        var (head, _) = await dapr.ReadAsync<InboxHead>(StateKeys.InboxHead(clientId), ct);
        var (tail, _) = await dapr.ReadAsync<InboxTail>(StateKeys.InboxTail(clientId), ct);
        var lowest = tail?.Lowest ?? 0;
        var newTail = lowest;
        var contiguous = true;
        var purged = 0;
        for (var start = lowest; start < (head?.Next ?? 0); start += PageSize)
        {
            var end = Math.Min(start + PageSize, head!.Next);
            var keys = new List<string>();
            for (var n = start; n < end; n++)
            {
                keys.Add(StateKeys.InboxEntry(clientId, n));
            }
            var entries = await dapr.ReadManyAsync<InboxEntry>(keys, ct);
            var deletes = new List<StateTransactionRequest>();
            for (var n = start; n < end; n++)
            {
                var entry = entries[StateKeys.InboxEntry(clientId, n)].Value;
                var gone = entry is null || entry.EnqueuedAt < cutoff;
                if (entry is not null && gone)
                {
                    deletes.Add(NatterState.Delete(StateKeys.InboxEntry(clientId, n)));
                }
                contiguous &= gone;
                if (contiguous)
                {
                    newTail = n + 1;
                }
            }
            if (deletes.Count > 0)
            {
                await dapr.CommitAsync(deletes, ct);
                purged += deletes.Count;
            }
        }
        if (newTail > lowest)
        {
            // Tails only move forward: a concurrent gateway may have moved it further already.
            var (current, etag) = await dapr.ReadAsync<InboxTail>(StateKeys.InboxTail(clientId), ct);
            if ((current?.Lowest ?? 0) < newTail)
            {
                try
                {
                    await dapr.CommitAsync([NatterState.Upsert(StateKeys.InboxTail(clientId), new InboxTail(newTail), etag)], ct);
                }
                catch (Exception e) when (NatterState.IsConflict(e))
                {
                    // Someone else advanced it meanwhile; the next sweep retries.
                }
            }
        }
        return purged;
    }

    /// <summary>Drops chats|{userId} entries of chats that are gone or no longer list the user.</summary>
    private async Task<int> DropStaleIndexEntriesAsync(string userId, CancellationToken ct) =>
        await NatterState.RetryOnConflictAsync(async () =>
        {
            var (index, etag) = await dapr.ReadAsync<ChatIndex>(StateKeys.ChatIndex(userId), ct);
            if (index is null || index.Chats.Count == 0)
            {
                return 0;
            }
            var chats = await dapr.ReadManyAsync<Chats.ChatDocument>([.. index.Chats.Select(c => StateKeys.Chat(c.ChatId))], ct);
            var keep = index.Chats.Where(c => chats[StateKeys.Chat(c.ChatId)].Value?.IsMember(userId) == true).ToList();
            if (keep.Count < index.Chats.Count)
            {
                await dapr.CommitAsync([NatterState.Upsert(StateKeys.ChatIndex(userId), new ChatIndex(keep), etag)], ct);
            }
            return index.Chats.Count - keep.Count;
        }, logger, ct);
}
