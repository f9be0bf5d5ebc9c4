using System.Globalization;
using System.Text.Json;
using Dapr.Client;
using Natter.Contracts;
using Natter.State;

namespace Natter.Inbox;

/// <summary>
/// presence: the gateway instance that holds a device's socket, as a lease with a TTL: renewed while the socket lives,
/// deleted on a clean close, and simply expiring when the instance dies, so deliveries stop going to a dead gateway.
/// </summary>
public sealed class PresenceRegistry(DaprClient dapr)
{
    public Task ClaimAsync(DeviceAddress device, Presence presence, TimeSpan ttl, CancellationToken ct) =>
        dapr.SaveStateAsync(InboxKeys.StoreName, InboxKeys.Presence(device), presence, metadata: Ttl(ttl), cancellationToken: ct);

    /// <summary>Renews many leases in one state transaction: a gateway renews all its sockets' leases in a few calls, not one each.</summary>
    public Task ClaimManyAsync(IReadOnlyCollection<(DeviceAddress Device, Presence Presence)> leases, TimeSpan ttl, CancellationToken ct)
    {
        var metadata = Ttl(ttl);
        return leases.Count == 0 ? Task.CompletedTask : dapr.CommitAsync(
            [.. leases.Select(l => NatterState.Put(InboxKeys.Presence(l.Device), JsonSerializer.SerializeToUtf8Bytes(l.Presence, NatterJson.Options), metadata))], ct);
    }

    private static Dictionary<string, string> Ttl(TimeSpan ttl) =>
        new() { ["ttlInSeconds"] = ((int)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture) };

    /// <summary>Deletes the lease only if it is still this connection's: a newer socket elsewhere keeps its own.</summary>
    public async Task ReleaseAsync(DeviceAddress device, string connectionId, CancellationToken ct)
    {
        var (presence, etag) = await dapr.ReadAsync<Presence>(InboxKeys.Presence(device), ct);
        if (presence?.ConnectionId == connectionId && etag is not null)
        {
            await dapr.TryDeleteStateAsync(InboxKeys.StoreName, InboxKeys.Presence(device), etag, cancellationToken: ct);
        }
    }

    /// <summary>Where each device's socket is now, for those that have one.</summary>
    public async Task<IReadOnlyDictionary<DeviceAddress, Presence>> LocateAsync(IReadOnlyCollection<DeviceAddress> devices, CancellationToken ct) =>
        Found(devices, await dapr.ReadManyRawAsync([.. devices.Select(InboxKeys.Presence)], ct));

    /// <summary>The devices whose lease a raw read holds, for a caller that read their presence keys with others. Pure.</summary>
    public static IReadOnlyDictionary<DeviceAddress, Presence> Found(
        IEnumerable<DeviceAddress> devices, IReadOnlyDictionary<string, (string? Json, string? ETag)> read)
    {
        var found = new Dictionary<DeviceAddress, Presence>();
        foreach (var device in devices)
        {
            if (read.TryGetValue(InboxKeys.Presence(device), out var raw) && NatterState.Parse<Presence>(raw.Json) is { } presence)
            {
                found[device] = presence;
            }
        }
        return found;
    }

    internal Task DeleteAsync(DeviceAddress device, CancellationToken ct) =>
        dapr.DeleteStateAsync(InboxKeys.StoreName, InboxKeys.Presence(device), cancellationToken: ct);
}
