using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Actors.Invocation;

/// <summary>
/// Sends a call for an actor owned elsewhere to the owner's sidecar (/internal/actors/...), headers and body intact.
/// One pooled connection set to every peer keeps the extra hop cheap.
/// </summary>
public sealed class ActorForwarding(SidecarOptions sidecar) : IDisposable
{
    /// <summary>How many sidecars a call already crossed: bounds ping-pong while two hosts disagree about an owner.</summary>
    public const string HopsHeader = "natter-actor-hops";

    public const string InternalPrefix = "/internal/actors";

    /// <summary>
    /// The sidecar instance a drain is meant for. A restarted sidecar can come back on its predecessor's address; a
    /// drain meant for the dead instance must not make the new one wait for its own turn (two new owners would then
    /// wait on each other until drainOngoingCallTimeout).
    /// </summary>
    public const string InstanceHeader = "natter-actor-instance";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Forwards; throws <see cref="HttpRequestException"/> when the owner cannot be reached.</summary>
    public async Task<ActorCallResult> ForwardAsync(
        PlacementHost owner, HttpMethod method, string relativePath, ActorCall call, int hops, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, $"{owner.Address.TrimEnd('/')}{InternalPrefix}/{relativePath}")
        {
            Content = new ByteArrayContent(call.Body),
        };
        ActorCallHeaders.CopyTo(call.Headers, request);
        request.Headers.TryAddWithoutValidation(HopsHeader, hops.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (sidecar.ApiToken is { Length: > 0 } token)
        {
            // Sidecars of one cluster share DAPR_API_TOKEN, as daprd's internal calls rely on mTLS instead.
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return new ActorCallResult((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct), ActorCallHeaders.From(response));
    }

    /// <summary>
    /// Asks the actor's previous owner to drain it (PUT /internal/actors/{type}/{id}/drain) and waits for its answer;
    /// throws <see cref="HttpRequestException"/> when that host cannot be reached.
    /// </summary>
    public async Task DrainAsync(PlacementHost previousOwner, Activation.ActorKey actor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put,
            $"{previousOwner.Address.TrimEnd('/')}{InternalPrefix}/{Uri.EscapeDataString(actor.Type)}/{Uri.EscapeDataString(actor.Id)}/drain");
        request.Headers.TryAddWithoutValidation(InstanceHeader, previousOwner.InstanceId);
        if (sidecar.ApiToken is { Length: > 0 } token)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            // A host that is not a sidecar of this cluster (or an old one) cannot hold the actor's turn.
            throw new HttpRequestException($"drain of {actor} answered {(int)response.StatusCode}", null, response.StatusCode);
        }
    }

    public void Dispose() => _http.Dispose();
}
