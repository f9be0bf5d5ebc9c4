using System.Collections.Concurrent;

namespace Natter.Sidecar.Actors.Activation;

/// <summary>The actors active in this host's app, each with its turn lock. Activation is implicit: the first turn.</summary>
public sealed class ActiveActors(Invocation.AppActorClient app, Placement.ActorHandoff handoff, ILogger<ActiveActors> logger)
{
    private readonly ConcurrentDictionary<ActorKey, ActorActivation> _actors = new();

    public int Count => _actors.Count;

    public IEnumerable<ActorActivation> All => _actors.Values;

    public IReadOnlyDictionary<string, int> CountsByType() =>
        _actors.Keys.GroupBy(k => k.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public bool TryGet(ActorKey key, out ActorActivation? activation) => _actors.TryGetValue(key, out activation);

    /// <summary>The actor's activation, created if needed, without taking its turn (timers are registered mid-turn).</summary>
    public ActorActivation GetOrActivate(ActorKey key) => _actors.GetOrAdd(key, static k => new ActorActivation(k));

    /// <summary>
    /// Waits for the actor's turn, activating it here if needed. The first turn of an activation first waits for the
    /// actor's previous owners to drain it; it throws <see cref="Placement.ActorMovedException"/> when this host is
    /// no longer the owner (the caller routes again).
    /// </summary>
    public async ValueTask<ActorTurn> EnterTurnAsync(ActorKey key, CancellationToken ct)
    {
        while (true)
        {
            var activation = _actors.GetOrAdd(key, static k => new ActorActivation(k));
            activation.Enter();
            try
            {
                await activation.Turn.WaitAsync(ct);
            }
            catch
            {
                activation.Leave();
                throw;
            }
            if (!activation.Deactivated)
            {
                if (!activation.HandedOver)
                {
                    await HandOverAsync(activation, ct);
                }
                return new ActorTurn(activation);
            }
            // Deactivated while we queued: the app forgot it, so start a fresh activation.
            activation.Leave();
            activation.Turn.Release();
        }
    }

    // Called holding the turn; on failure gives it back, and forgets an activation the app never saw.
    private async Task HandOverAsync(ActorActivation activation, CancellationToken ct)
    {
        try
        {
            await handoff.BeforeFirstTurnAsync(activation.Key, ct);
            activation.HandedOver = true;
        }
        catch
        {
            activation.Deactivated = true;
            _actors.TryRemove(new KeyValuePair<ActorKey, ActorActivation>(activation.Key, activation));
            activation.Leave();
            activation.Turn.Release();
            throw;
        }
    }

    /// <summary>
    /// A new owner's request: deactivate the actor here once its running turn has returned (waiting at most
    /// <paramref name="timeout"/>, daprd's drainOngoingCallTimeout). Callers queued here meanwhile start a fresh
    /// activation, find this host no longer owns the actor, and are routed to the new owner.
    /// </summary>
    public async Task DrainAsync(ActorKey key, TimeSpan timeout, CancellationToken ct)
    {
        if (!_actors.TryGetValue(key, out var activation))
        {
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await DeactivateAsync(activation, onlyIfIdle: false, TimeSpan.Zero, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            logger.LogWarning("{Actor} still ran a turn after {Timeout}; handing it over anyway", key, timeout);
        }
    }

    /// <summary>
    /// Deactivates an actor between turns: DELETE to the app while holding the turn, so no call reaches the app for
    /// it until the app has forgotten it. <paramref name="onlyIfIdle"/> gives up when a call is queued or running.
    /// </summary>
    public async Task<bool> DeactivateAsync(ActorActivation activation, bool onlyIfIdle, TimeSpan idleTimeout, CancellationToken ct)
    {
        if (onlyIfIdle)
        {
            if (activation.Waiting > 0 || activation.IdleFor < idleTimeout || !activation.Turn.Wait(0, CancellationToken.None))
            {
                return false;
            }
            if (activation.Waiting > 0)
            {
                activation.Turn.Release();
                return false;
            }
        }
        else
        {
            await activation.Turn.WaitAsync(ct);
        }
        try
        {
            if (activation.Deactivated)
            {
                return false;
            }
            activation.Timers.CancelAll();
            try
            {
                await app.DeactivateAsync(activation.Key, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The app is gone or stuck; forgetting the activation is still right, a later call re-activates it.
                logger.LogWarning(ex, "Deactivating {Actor} in the app failed", activation.Key);
            }
            activation.Deactivated = true;
            _actors.TryRemove(new KeyValuePair<ActorKey, ActorActivation>(activation.Key, activation));
            logger.LogDebug("Deactivated {Actor}", activation.Key);
            return true;
        }
        finally
        {
            activation.Turn.Release();
        }
    }
}
