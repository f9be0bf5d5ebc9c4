namespace Natter.Sidecar.Actors.Timers;

/// <summary>An activation's running timers by name. Timers live in memory only and die with the activation, as in daprd.</summary>
public sealed class ActorTimerSet
{
    private readonly Dictionary<string, CancellationTokenSource> _timers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>Adds a timer, replacing (stopping) one of the same name; returns the token that stops the new one.</summary>
    public CancellationToken Replace(string name)
    {
        var cts = new CancellationTokenSource();
        CancellationTokenSource? previous;
        lock (_gate)
        {
            _timers.TryGetValue(name, out previous);
            _timers[name] = cts;
        }
        Stop(previous);
        return cts.Token;
    }

    public bool Remove(string name)
    {
        CancellationTokenSource? cts;
        lock (_gate)
        {
            if (!_timers.Remove(name, out cts))
            {
                return false;
            }
        }
        Stop(cts);
        return true;
    }

    /// <summary>Forgets a timer that ended by itself, unless it was replaced meanwhile.</summary>
    public void Completed(string name, CancellationToken token)
    {
        lock (_gate)
        {
            if (_timers.TryGetValue(name, out var cts) && cts.Token == token)
            {
                _timers.Remove(name);
                cts.Dispose();
            }
        }
    }

    public void CancelAll()
    {
        List<CancellationTokenSource> all;
        lock (_gate)
        {
            all = [.. _timers.Values];
            _timers.Clear();
        }
        all.ForEach(Stop);
    }

    private static void Stop(CancellationTokenSource? cts)
    {
        if (cts is null)
        {
            return;
        }
        cts.Cancel();
        cts.Dispose();
    }
}
