using Dapr.Client;
using Microsoft.Extensions.Logging;
using Natter.Contracts;
using Natter.State;

namespace Natter.ConnectionGateway.Devices;

public enum RegistrationOutcome { Registered, AlreadyActive, TooManyDevices }

/// <summary>devices|{userId}: the user's active clients, changed only by etag-guarded read-modify-write.</summary>
public sealed class DeviceRegistryStore(DaprClient dapr, TimeProvider time, ILogger<DeviceRegistryStore> logger)
{
    public async Task<RegistrationOutcome> RegisterAsync(string userId, string clientId, CancellationToken ct)
    {
        // The head exists before the device is visible to fan-outs, so every append is etag-guarded.
        await EnsureInboxHeadAsync(clientId, ct);
        var outcome = await NatterState.RetryOnConflictAsync(async () =>
        {
            var (registry, etag) = await dapr.ReadAsync<DeviceRegistry>(StateKeys.Devices(userId), ct);
            var (changed, result) = Register(registry ?? DeviceRegistry.Empty, clientId, time.GetUtcNow().ToUnixTimeMilliseconds());
            if (changed is not null)
            {
                await dapr.CommitAsync([NatterState.Upsert(StateKeys.Devices(userId), changed, etag)], ct);
            }
            return result;
        }, logger, ct);
        if (outcome == RegistrationOutcome.Registered)
        {
            await AddToUserShardAsync(userId, ct);
        }
        return outcome;
    }

    /// <summary>The registry after a client connects. Pure: unit-tested.</summary>
    internal static (DeviceRegistry? Changed, RegistrationOutcome Outcome) Register(DeviceRegistry registry, string clientId, long now)
    {
        if (registry.Clients.FirstOrDefault(c => c.ClientId == clientId) is { } known)
        {
            return (new DeviceRegistry([.. registry.Clients.Select(c => c == known ? c with { LastSeen = now } : c)]),
                RegistrationOutcome.AlreadyActive);
        }
        if (registry.Clients.Count >= DeviceRegistry.MaxDevicesPerUser)
        {
            return (null, RegistrationOutcome.TooManyDevices);
        }
        return (new DeviceRegistry([.. registry.Clients, new DeviceRecord(clientId, now, now)]), RegistrationOutcome.Registered);
    }

    public Task TouchAsync(string userId, string clientId, CancellationToken ct) =>
        NatterState.RetryOnConflictAsync(async () =>
        {
            var (registry, etag) = await dapr.ReadAsync<DeviceRegistry>(StateKeys.Devices(userId), ct);
            if (registry?.Clients.Any(c => c.ClientId == clientId) == true)
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var touched = new DeviceRegistry([.. registry.Clients.Select(c => c.ClientId == clientId ? c with { LastSeen = now } : c)]);
                await dapr.CommitAsync([NatterState.Upsert(StateKeys.Devices(userId), touched, etag)], ct);
            }
            return true;
        }, logger, ct);

    /// <summary>Removes one of the user's clients and drops its pending inbox. False when it is not the user's client.</summary>
    public async Task<bool> DeactivateAsync(string userId, string clientId, CancellationToken ct)
    {
        var removed = await NatterState.RetryOnConflictAsync(async () =>
        {
            var (registry, etag) = await dapr.ReadAsync<DeviceRegistry>(StateKeys.Devices(userId), ct);
            if (registry?.Clients.Any(c => c.ClientId == clientId) != true)
            {
                return false;
            }
            var remaining = new DeviceRegistry([.. registry.Clients.Where(c => c.ClientId != clientId)]);
            await dapr.CommitAsync([NatterState.Upsert(StateKeys.Devices(userId), remaining, etag)], ct);
            return true;
        }, logger, ct);
        if (removed)
        {
            await dapr.DropInboxAsync(clientId, ct);
        }
        return removed;
    }

    private async Task EnsureInboxHeadAsync(string clientId, CancellationToken ct)
    {
        var (head, _) = await dapr.ReadAsync<InboxHead>(StateKeys.InboxHead(clientId), ct);
        if (head is null)
        {
            await dapr.CommitAsync([NatterState.Upsert(StateKeys.InboxHead(clientId), new InboxHead(0))], ct);
        }
    }

    /// <summary>The idle sweep enumerates users through these shard docs instead of scanning keys.</summary>
    private Task AddToUserShardAsync(string userId, CancellationToken ct) =>
        NatterState.RetryOnConflictAsync(async () =>
        {
            var key = StateKeys.UserShard(StateKeys.ShardOf(userId));
            var (shard, etag) = await dapr.ReadAsync<UserShard>(key, ct);
            if (shard?.Users.Contains(userId) != true)
            {
                await dapr.CommitAsync([NatterState.Upsert(key, new UserShard([.. shard?.Users ?? [], userId]), etag)], ct);
            }
            return true;
        }, logger, ct);
}
