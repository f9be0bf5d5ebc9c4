using Microsoft.Extensions.Logging;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Actors.Invocation;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// The new owner's half of a placement change. Before the first turn of an actor activated here, every host that owned
/// it under a recently superseded table is asked to drain it (finish its running turn, deactivate it, stop taking
/// turns for it) and the turn waits for that answer. So a turn never starts here while the previous owner still runs
/// one, as long as that owner can be reached; an unreachable one is taken for dead (see Sidecar/README.md).
/// </summary>
public sealed class ActorHandoff(
    ActorPlacement placement,
    ActorForwarding forwarding,
    ActorTypesRegistry types,
    ILogger<ActorHandoff> logger)
{
    /// <summary>Throws <see cref="ActorMovedException"/> when this host no longer owns the actor; else drains its previous owners.</summary>
    public async Task BeforeFirstTurnAsync(ActorKey actor, CancellationToken ct)
    {
        if (placement.Table.Owner(actor.Type, actor.Id) is { } owner && !placement.IsSelf(owner))
        {
            throw new ActorMovedException(actor);
        }
        var previousOwners = placement.Superseded
            .Select(t => t.Table.Owner(actor.Type, actor.Id))
            .OfType<PlacementHost>()
            .Where(h => !placement.IsSelf(h))
            .DistinctBy(h => h.InstanceId)
            .ToList();
        if (previousOwners.Count == 0)
        {
            return;
        }
        // The previous owner waits up to drainOngoingCallTimeout for its turn; allow for the round trip on top.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(types.Config.DrainOngoingCallTimeout + TimeSpan.FromSeconds(5));
        await Task.WhenAll(previousOwners.Select(async host =>
        {
            try
            {
                await forwarding.DrainAsync(host, actor, deadline.Token);
            }
            catch (HttpRequestException ex)
            {
                logger.LogDebug(ex, "Previous owner {Host} of {Actor} unreachable: taken for dead", host.InstanceId, actor);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Previous owner {Host} of {Actor} did not drain in time; activating anyway", host.InstanceId, actor);
            }
        }));
    }
}

/// <summary>The actor's turn was asked for on a host that no longer owns it: route the call again.</summary>
public sealed class ActorMovedException(ActorKey actor) : Exception($"actor {actor} moved to another host")
{
    public ActorKey Actor { get; } = actor;
}
