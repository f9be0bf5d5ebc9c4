namespace Natter.State;

/// <summary>
/// Runs waiting items in rounds, at most a fixed number of rounds at once: an item added while a round slot is free
/// starts a round at once (on the caller's thread, up to the round's first wait), and items added while every slot is
/// busy wait and go together in the next round. Nothing waits on a timer, so a lone item costs no latency, and the
/// rounds grow with the load. The round function completes its items itself and must not throw.
/// </summary>
/// <param name="take">Removes the next round's items from the waiting ones (at least one), under the lock.</param>
/// <param name="run">Runs a round and completes each of its items.</param>
internal sealed class Rounds<T>(int inFlight, Func<LinkedList<T>, List<T>> take, Func<List<T>, Task> run)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<T> _waiting = new();
    private int _running;

    public void Add(T item)
    {
        lock (_gate)
        {
            _waiting.AddLast(item);
            if (_running >= inFlight)
            {
                return;
            }
            _running++;
        }
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            List<T> round;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _running--;
                    return;
                }
                round = take(_waiting);
            }
            try
            {
                await run(round);
            }
            catch (Exception)
            {
                // run completes its own items and is not meant to throw; if it does, that round's callers give up at
                // their own deadlines, and the rounds after it must still run rather than stall every later call.
            }
        }
    }
}
