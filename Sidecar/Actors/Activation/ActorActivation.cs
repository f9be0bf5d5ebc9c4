using Natter.Sidecar.Actors.Timers;

namespace Natter.Sidecar.Actors.Activation;

/// <summary>
/// An actor active in this host's app. Its turn semaphore serialises every call, reminder and timer for the actor
/// across all callers, so the app never runs two turns of one actor at once, whichever sidecar the calls came through.
/// </summary>
public sealed class ActorActivation(ActorKey key)
{
    private long _lastUsedTimestamp = Environment.TickCount64;
    private int _waiting;

    public ActorKey Key { get; } = key;

    internal SemaphoreSlim Turn { get; } = new(1, 1);

    /// <summary>Set under the turn lock once the app was told to deactivate: callers holding this object start over.</summary>
    internal bool Deactivated { get; set; }

    /// <summary>Set under the turn lock once the previous owners have drained it (<see cref="Placement.ActorHandoff"/>).</summary>
    internal bool HandedOver { get; set; }

    internal ActorTimerSet Timers { get; } = new();

    /// <summary>Callers queued for, or holding, the turn.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    internal TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTimestamp));

    internal void Enter() => Interlocked.Increment(ref _waiting);

    internal void Leave()
    {
        Interlocked.Exchange(ref _lastUsedTimestamp, Environment.TickCount64);
        Interlocked.Decrement(ref _waiting);
    }
}
