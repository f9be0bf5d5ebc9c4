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

    public TurnMonitor Monitor => monitor;

    private readonly ConcurrentDictionary<string, (TaskCompletionSource Entered, TaskCompletionSource Gate)> _holds = new();

    private (TaskCompletionSource Entered, TaskCompletionSource Gate) Hold(string actor) => _holds.GetOrAdd(actor, _ =>
        (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)));

    /// <summary>Completes once the app runs the actor's HoldAsync turn.</summary>
    public Task Entered(string actor) => Hold(actor).Entered.Task;

    /// <summary>Lets the actor's HoldAsync turn return.</summary>
    public void Release(string actor) => Hold(actor).Gate.TrySetResult();

    public async Task HoldAsync(string actor)
    {
        var hold = Hold(actor);
        hold.Entered.TrySetResult();
        await hold.Gate.Task;
    }
}

public sealed class TurnMonitor
{
    private readonly ConcurrentDictionary<string, int> _inTurn = new();
    private readonly ConcurrentDictionary<string, int> _appRequests = new();
    private int _overlaps;
    private int _appRequestOverlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    /// <summary>
    /// Actor method requests the apps were running at once for one actor, counted at the HTTP door of the apps: it
    /// sees a second turn the sidecar started even where the SDK would queue it inside the app.
    /// </summary>
    public int AppRequestOverlaps => Volatile.Read(ref _appRequestOverlaps);

    public int AppRequestsInFlight(string actor) => _appRequests.TryGetValue(actor, out var n) ? n : 0;

    public IDisposable EnterAppRequest(string actor)
    {
        if (_appRequests.AddOrUpdate(actor, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _appRequestOverlaps);
        }
        return new Exit(() => _appRequests.AddOrUpdate(actor, 0, (_, n) => n - 1));
    }

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
