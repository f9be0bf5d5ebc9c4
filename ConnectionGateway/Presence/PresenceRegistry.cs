using Dapr.Client;
using Microsoft.Extensions.Options;
using Natter.Contracts;
using Natter.State;

namespace Natter.ConnectionGateway.Presence;

/// <summary>
/// presence|{clientId} → this gateway instance, as a lease with a TTL: renewed while the socket lives, deleted on a clean
/// close, and simply expiring when the instance dies, so deliveries stop being routed to a dead gateway.
/// </summary>
public sealed class PresenceRegistry(DaprClient dapr, IOptions<GatewayOptions> options)
{
    public Task ClaimAsync(string clientId, string connectionId, CancellationToken ct) =>
        dapr.SaveStateAsync(StateKeys.StoreName, StateKeys.Presence(clientId),
            new Contracts.Presence(options.Value.InstanceId, connectionId),
            metadata: new Dictionary<string, string>
            {
                ["ttlInSeconds"] = ((int)options.Value.PresenceTtl.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            cancellationToken: ct);

    /// <summary>Deletes the lease only if it is still this connection's: a newer socket elsewhere keeps its own.</summary>
    public async Task ReleaseAsync(string clientId, string connectionId, CancellationToken ct)
    {
        var (presence, etag) = await dapr.ReadAsync<Contracts.Presence>(StateKeys.Presence(clientId), ct);
        if (presence?.ConnectionId == connectionId && etag is not null)
        {
            await dapr.TryDeleteStateAsync(StateKeys.StoreName, StateKeys.Presence(clientId), etag, cancellationToken: ct);
        }
    }
}
