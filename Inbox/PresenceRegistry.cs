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
    public async Task<IReadOnlyDictionary<DeviceAddress, Presence>> LocateAsync(IReadOnlyCollection<DeviceAddress> devices, CancellationToken ct)
    {
        var docs = await dapr.ReadManyAsync<Presence>([.. devices.Select(InboxKeys.Presence)], ct);
        var found = new Dictionary<DeviceAddress, Presence>(devices.Count);
        foreach (var device in devices)
        {
            if (docs[InboxKeys.Presence(device)].Value is { } presence)
            {
                found[device] = presence;
            }
        }
        return found;
    }

    internal Task DeleteAsync(DeviceAddress device, CancellationToken ct) =>
        dapr.DeleteStateAsync(InboxKeys.StoreName, InboxKeys.Presence(device), cancellationToken: ct);
}
