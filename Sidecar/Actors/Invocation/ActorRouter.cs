using Microsoft.Extensions.Options;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Placement;

namespace Natter.Sidecar.Actors.Invocation;

/// <summary>
/// Runs a call where its actor lives: here when this host owns it, otherwise on the owner's sidecar. An owner that
/// cannot be reached (it died and its lease has not expired yet) makes the router re-read placement and try again
/// until the actor has a reachable owner or the wait runs out.
/// </summary>
public sealed class ActorRouter(
    ActorPlacement placement,
    ActorForwarding forwarding,
    IOptions<ActorsOptions> options,
    ILogger<ActorRouter> logger)
{
    private const int MaxHops = 3;

    public async Task<ActorCallResult> RouteAsync(
        ActorKey actor,
        HttpMethod method,
        string relativePath,
        ActorCall call,
        int hops,
        Func<CancellationToken, Task<ActorCallResult>> runHere,
        CancellationToken ct)
    {
        // Hot path: placement known and this host owns the actor; no timers, no allocation beyond the call itself.
        if (placement.WhenReady.IsCompleted && placement.HoldsLease && placement.Table.Owner(actor.Type, actor.Id) is { } knownOwner
            && (placement.IsSelf(knownOwner) || hops >= MaxHops))
        {
            try
            {
                return await runHere(ct);
            }
            catch (ActorMovedException)
            {
                // Placement changed while the call queued for the turn: route it again below.
            }
        }
        var opts = options.Value;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(opts.PlacementWaitTimeout);
        try
        {
            if (!placement.WhenReady.IsCompleted)
            {
                await placement.WhenReady.WaitAsync(deadline.Token);
            }
            while (true)
            {
                var owner = placement.HoldsLease ? placement.Table.Owner(actor.Type, actor.Id) : null;
                if (owner is not null && (placement.IsSelf(owner) || hops >= MaxHops))
                {
                    try
                    {
                        return await runHere(ct);
                    }
                    catch (ActorMovedException)
                    {
                        // Moved while queued here: re-read placement and go to the new owner.
                    }
                }
                else if (owner is not null)
                {
                    try
                    {
                        return await forwarding.ForwardAsync(owner, method, relativePath, call, hops + 1, deadline.Token);
                    }
                    catch (HttpRequestException ex)
                    {
                        logger.LogDebug(ex, "Owner {Owner} of {Actor} unreachable; waiting for placement", owner.InstanceId, actor);
                    }
                }
                placement.RequestRefresh();
                await Task.Delay(opts.LeaseRenewInterval / 4, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ActorCallResult.Error(StatusCodes.Status500InternalServerError,
                "ERR_ACTOR_INSTANCE_MISSING", $"no reachable host for actor type {actor.Type}");
        }
    }
}
