using Dapr.Client;
using Microsoft.Extensions.Logging;
using Natter.State;

namespace Natter.Inbox;

/// <summary>
/// A user's devices, and who owns each client id. Every write is an etag-guarded (or create-only) read-modify-write,
/// so two devices of one user connecting at the same moment both end up registered.
/// </summary>
public sealed partial class DeviceRegistryStore(DaprClient dapr, DeviceInbox inbox, PresenceRegistry presence, TimeProvider time, ILogger<DeviceRegistryStore> logger)
{
    public async Task<RegistrationOutcome> RegisterAsync(DeviceAddress device, CancellationToken ct)
    {
        // A client id belongs to the first user who registers it, until that device is retired.
        var owner = await dapr.UpdateAsync<ClientOwner>(InboxKeys.ClientOwner(device.ClientId),
            o => o is null ? StateChange<ClientOwner>.Save(new ClientOwner(device.UserId)) : StateChange<ClientOwner>.Keep, ct);
        if (owner?.UserId != device.UserId)
        {
            return RegistrationOutcome.ClientIdTaken;
        }
        var (registry, _) = await dapr.ReadAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId), ct);
        if (registry?.Find(device.ClientId) is { Retiring: true })
        {
            // An earlier deactivation did not finish (a crash): finish it, then register afresh.
            await FinishRetirementAsync(device, releaseOwner: false, ct);
        }
        // The head exists before the device is visible to fan-outs, so every append is etag-guarded.
        await inbox.EnsureHeadAsync(device, ct);
        var outcome = RegistrationOutcome.AlreadyActive;
        await dapr.UpdateAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId), current =>
        {
            var (changed, result) = (current ?? DeviceRegistry.Empty).Register(device.ClientId, Now());
            outcome = result;
            return changed is null ? StateChange<DeviceRegistry>.Keep : StateChange<DeviceRegistry>.Save(changed);
        }, ct);
        if (outcome == RegistrationOutcome.Registered)
        {
            await AddToUserShardAsync(device.UserId, ct);
        }
        return outcome;
    }

    /// <summary>Records that the device was seen now (connect, disconnect, and periodically while connected).</summary>
    public Task TouchAsync(DeviceAddress device, CancellationToken ct) =>
        dapr.UpdateAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId),
            current => current?.Touch(device.ClientId, Now()) is { } touched ? StateChange<DeviceRegistry>.Save(touched) : StateChange<DeviceRegistry>.Keep, ct);

    /// <summary>Whether the device is registered and not being retired: a socket of a retired device is closed.</summary>
    public async Task<bool> IsActiveAsync(DeviceAddress device, CancellationToken ct)
    {
        var (registry, _) = await dapr.ReadAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId), ct);
        return registry?.Find(device.ClientId) is { Retiring: false };
    }

    /// <summary>Which of the devices are registered and not being retired, in one bulk read of their users' registries.</summary>
    public async Task<IReadOnlySet<DeviceAddress>> ActiveAmongAsync(IReadOnlyCollection<DeviceAddress> devices, CancellationToken ct)
    {
        var registries = await dapr.ReadManyAsync<DeviceRegistry>([.. devices.Select(d => InboxKeys.Devices(d.UserId)).Distinct()], ct);
        return devices.Where(d => registries[InboxKeys.Devices(d.UserId)].Value?.Find(d.ClientId) is { Retiring: false }).ToHashSet();
    }

    /// <summary>Retires one of the user's devices and drops its pending inbox. False when it is not an active device of the user.</summary>
    public async Task<bool> DeactivateAsync(DeviceAddress device, CancellationToken ct)
    {
        var (registry, _) = await dapr.ReadAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId), ct);
        if (registry?.Find(device.ClientId) is not { } record)
        {
            return false;
        }
        if (!record.Retiring)
        {
            await MarkRetiringAsync(device.UserId, [device.ClientId], ct);
        }
        await FinishRetirementAsync(device, releaseOwner: true, ct);
        return true;
    }

    /// <summary>Every active device of every given user, in user order: who receives a copy of an item.</summary>
    public async Task<IReadOnlyList<DeviceAddress>> ActiveDevicesAsync(IReadOnlyCollection<string> userIds, CancellationToken ct) =>
        FanOutDevices.From(userIds, await dapr.ReadManyRawAsync([.. userIds.Select(InboxKeys.Devices).Distinct(StringComparer.Ordinal)], ct)).Devices;

    /// <summary>
    /// Retires the user's devices not seen since the cutoff and not connected now (a live presence lease means a socket
    /// is open, however long ago it connected), and finishes retirements a crash left behind. Returns the retired
    /// count and the devices that stay.
    /// </summary>
    public async Task<(int Retired, IReadOnlyList<DeviceAddress> Active)> RetireIdleAsync(string userId, long cutoff, CancellationToken ct)
    {
        var (registry, _) = await dapr.ReadAsync<DeviceRegistry>(InboxKeys.Devices(userId), ct);
        if (registry is null)
        {
            return (0, []);
        }
        var stale = registry.Clients.Where(c => c.Retiring || c.LastSeen < cutoff).Select(c => new DeviceAddress(userId, c.ClientId)).ToList();
        var connected = await presence.LocateAsync(stale, ct);
        var idle = stale.Where(d => !connected.ContainsKey(d)).ToList();
        if (idle.Count > 0)
        {
            await MarkRetiringAsync(userId, [.. idle.Select(d => d.ClientId)], ct);
        }
        foreach (var device in idle)
        {
            await FinishRetirementAsync(device, releaseOwner: true, ct);
        }
        var active = registry.ActiveClients.Select(c => new DeviceAddress(userId, c)).Except(idle).ToList();
        return (idle.Count, active);
    }

    /// <summary>The users whose registries live in one shard, for the sweep to visit without a key scan.</summary>
    public async Task<IReadOnlyList<string>> UsersInShardAsync(int shard, CancellationToken ct)
    {
        var (users, _) = await dapr.ReadAsync<UserShard>(InboxKeys.UserShard(shard), ct);
        return users?.Users ?? [];
    }

    public static int ShardCount => InboxKeys.UserShardCount;

    internal Task MarkRetiringAsync(string userId, IReadOnlyCollection<string> clientIds, CancellationToken ct) =>
        dapr.UpdateAsync<DeviceRegistry>(InboxKeys.Devices(userId),
            current => current?.MarkRetiring(clientIds) is { } marked ? StateChange<DeviceRegistry>.Save(marked) : StateChange<DeviceRegistry>.Keep, ct);

    /// <summary>Drop, then unregister, then free the client id: each step idempotent, so a repeat finishes a crashed one.</summary>
    private async Task FinishRetirementAsync(DeviceAddress device, bool releaseOwner, CancellationToken ct)
    {
        await inbox.DropAsync(device, ct);
        await presence.DeleteAsync(device, ct);
        await dapr.UpdateAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId),
            current => current?.RemoveRetired(device.ClientId) is { } removed ? StateChange<DeviceRegistry>.Save(removed) : StateChange<DeviceRegistry>.Keep, ct);
        if (releaseOwner)
        {
            await dapr.UpdateAsync<ClientOwner>(InboxKeys.ClientOwner(device.ClientId),
                o => o?.UserId == device.UserId ? StateChange<ClientOwner>.Delete : StateChange<ClientOwner>.Keep, ct);
        }
        logger.LogInformation("Device {Device} retired", device);
    }

    private Task AddToUserShardAsync(string userId, CancellationToken ct) =>
        dapr.UpdateAsync<UserShard>(InboxKeys.UserShard(InboxKeys.ShardOf(userId)),
            shard => shard?.Users.Contains(userId) == true ? StateChange<UserShard>.Keep : StateChange<UserShard>.Save(new UserShard([.. shard?.Users ?? [], userId])), ct);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
