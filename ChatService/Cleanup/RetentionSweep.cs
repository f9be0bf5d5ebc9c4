using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ChatService.Cleanup;

public sealed record SweepReport(bool Ran, int UsersVisited, int ClientsDeactivated, int EntriesPurged, int IndexEntriesDropped);

/// <summary>
/// The daily retention sweep. Redis TTL already drops entries after 30 days; the sweep additionally retires devices idle
/// for 30 days and not connected (with their inboxes), purges entries the clock says are expired, advances tails and
/// drops index entries of chats the user left. Every sidecar fires the cron, so one run holds an etag-guarded lease
/// and every step is idempotent: two sweeps at once only repeat deletes.
/// </summary>
public sealed class RetentionSweep(DaprClient dapr, DeviceRegistryStore devices, DeviceInbox inbox, TimeProvider time, ILogger<RetentionSweep> logger)
{
    private static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(10);
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
            for (var shard = 0; shard < DeviceRegistryStore.ShardCount; shard++)
            {
                foreach (var userId in await devices.UsersInShardAsync(shard, ct))
                {
                    users++;
                    var (retired, active) = await devices.RetireIdleAsync(userId, cutoff, ct);
                    deactivated += retired;
                    foreach (var device in active)
                    {
                        purged += await inbox.PurgeExpiredAsync(device, cutoff, ct);
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

    /// <summary>The lease is an etag-guarded (create-only when absent) write, so of two sweeps only one takes it.</summary>
    private async Task<bool> TryTakeLeaseAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var mine = new CleanupLease(_holder, now + (long)LeaseLength.TotalMilliseconds);
        var held = await dapr.UpdateAsync<CleanupLease>(StateKeys.CleanupLease,
            lease => lease is not null && lease.ExpiresAt > now ? StateChange<CleanupLease>.Keep : StateChange<CleanupLease>.Save(mine), ct);
        return held?.Holder == _holder;
    }

    /// <summary>Drops chats|{userId} entries of chats that are gone or no longer list the user.</summary>
    private async Task<int> DropStaleIndexEntriesAsync(string userId, CancellationToken ct)
    {
        var (index, _) = await dapr.ReadAsync<ChatIndex>(StateKeys.ChatIndex(userId), ct);
        if (index is null || index.Chats.Count == 0)
        {
            return 0;
        }
        var chats = await dapr.ReadManyAsync<Chats.ChatDocument>([.. index.Chats.Select(c => StateKeys.Chat(c.ChatId))], ct);
        var gone = index.Chats.Where(c => chats[StateKeys.Chat(c.ChatId)].Value?.IsMember(userId) != true).Select(c => c.ChatId).ToHashSet();
        if (gone.Count > 0)
        {
            await dapr.UpdateAsync<ChatIndex>(StateKeys.ChatIndex(userId), current => current is null
                ? StateChange<ChatIndex>.Keep
                : StateChange<ChatIndex>.Save(new ChatIndex([.. current.Chats.Where(c => !gone.Contains(c.ChatId))])), ct);
        }
        return gone.Count;
    }
}
