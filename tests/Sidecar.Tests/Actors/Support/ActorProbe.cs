using System.Collections.Concurrent;

namespace Natter.Sidecar.Tests.Actors.Support;

/// <summary>
/// What one app instance's actors did. Instances of a test share one <see cref="TurnMonitor"/>, so a turn that
/// overlaps another turn of the same actor on any instance is counted.
/// </summary>
public sealed class ActorProbe(string instance, TurnMonitor monitor)
{
    public string Instance { get; } = instance;

    public ConcurrentDictionary<string, int> Activations { get; } = new();

    public ConcurrentDictionary<string, int> Deactivations { get; } = new();

    public ConcurrentQueue<(string Actor, string Reminder, string Data)> Reminders { get; } = new();

    public ConcurrentQueue<(string Actor, string Data)> Timers { get; } = new();

    public void Activated(string actor) => Activations.AddOrUpdate(actor, 1, (_, n) => n + 1);

    public void Deactivated(string actor) => Deactivations.AddOrUpdate(actor, 1, (_, n) => n + 1);

    public void Reminded(string actor, string reminder, string data) => Reminders.Enqueue((actor, reminder, data));

    public void TimerFired(string actor, string data) => Timers.Enqueue((actor, data));

    public IDisposable EnterTurn(string actor) => monitor.Enter(actor);
}

public sealed class TurnMonitor
{
    private readonly ConcurrentDictionary<string, int> _inTurn = new();
    private int _overlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public IDisposable Enter(string actor)
    {
        if (_inTurn.AddOrUpdate(actor, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }
        return new Exit(() => _inTurn.AddOrUpdate(actor, 0, (_, n) => n - 1));
    }

    private sealed class Exit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }
}
