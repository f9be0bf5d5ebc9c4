using System.Diagnostics.Metrics;
using Dapr.Client;
using Microsoft.Extensions.Logging;

namespace Natter.State;

/// <summary>
/// Bulk reads and transactions of many concurrent callers (a chat service's actor turns, each for its own chat) sent to
/// the sidecar together. A call made while fewer than <see cref="RoundsInFlight"/> rounds of its kind run starts a round
/// at once, so a lone call waits for nothing; calls made while rounds run wait and go together in the next round. Under
/// load, each sidecar call then carries many turns' keys or operations instead of one, which is what a message's cost
/// is made of (BENCHMARKS.md, issue 11).
/// <para>
/// A merged transaction is still one transaction: it commits all or nothing. When it fails on a conflict (an etag some
/// caller read went stale), nothing was written, so each caller's operations are committed again alone and each caller
/// gets its own answer; a round never holds two callers' operations on one key. Any other failure (the sidecar down, a
/// timeout) is every caller's: after it the commit may or may not have happened, and each caller treats it as such.
/// </para>
/// </summary>
public sealed class StateRounds
{
    /// <summary>Rounds of one kind at once: a slow call does not hold every turn of the process.</summary>
    public const int RoundsInFlight = 2;

    // A round stays far below the sidecar's message limit; a caller's own call may be larger and then goes alone.
    private const int MaxKeysPerRound = 2_000;
    private const long MaxBytesPerRound = 1024 * 1024;

    // A round that hangs on the sidecar is given up after this long; each caller's own deadline applies as well.
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The dashboard's view of the coalescing: how many callers each sidecar call carried.</summary>
    public static readonly Meter Meter = new("Natter.State");

    private static readonly Histogram<int> RoundSize = Meter.CreateHistogram<int>(
        "natter.state.round.callers", description: "Callers whose bulk read or transaction one sidecar call carried");

    private static readonly KeyValuePair<string, object?> ReadKind = new("natter.state.call", "read");
    private static readonly KeyValuePair<string, object?> CommitKind = new("natter.state.call", "commit");

    private readonly DaprClient _dapr;
    private readonly ILogger<StateRounds> _logger;
    private readonly Rounds<PendingRead> _reads;
    private readonly Rounds<PendingCommit> _commits;

    public StateRounds(DaprClient dapr, ILogger<StateRounds> logger)
    {
        _dapr = dapr;
        _logger = logger;
        _reads = new Rounds<PendingRead>(RoundsInFlight, TakeReads, ReadRoundAsync);
        _commits = new Rounds<PendingCommit>(RoundsInFlight, TakeCommits, CommitRoundAsync);
    }

    /// <summary>As <see cref="NatterState.ReadManyRawAsync"/>, in the next read round.</summary>
    public Task<Dictionary<string, (string? Json, string? ETag)>> ReadManyRawAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(new Dictionary<string, (string?, string?)>(StringComparer.Ordinal));
        }
        var pending = new PendingRead(keys);
        _reads.Add(pending);
        return pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>As <see cref="NatterState.CommitAsync"/>, in the next commit round: atomic for the caller's operations.</summary>
    public Task CommitAsync(IReadOnlyList<StateTransactionRequest> operations, CancellationToken ct)
    {
        if (operations.Count == 0)
        {
            return Task.CompletedTask;
        }
        var pending = new PendingCommit(operations);
        _commits.Add(pending);
        return pending.Done.Task.WaitAsync(ct);
    }

    private static List<PendingRead> TakeReads(LinkedList<PendingRead> waiting)
    {
        var round = new List<PendingRead>();
        var keys = 0;
        for (var node = waiting.First; node is not null;)
        {
            var next = node.Next;
            if (round.Count == 0 || keys + node.Value.Keys.Count <= MaxKeysPerRound)
            {
                round.Add(node.Value);
                keys += node.Value.Keys.Count;
                waiting.Remove(node);
            }
            node = next;
        }
        return round;
    }

    /// <summary>The round's commits: in order, within the byte bound, and never two that touch one key.</summary>
    private static List<PendingCommit> TakeCommits(LinkedList<PendingCommit> waiting)
    {
        var round = new List<PendingCommit>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var node = waiting.First; node is not null;)
        {
            var next = node.Next;
            var commit = node.Value;
            var fits = round.Count == 0 || (bytes + commit.Bytes <= MaxBytesPerRound && !commit.Keys.Overlaps(keys));
            if (fits)
            {
                round.Add(commit);
                keys.UnionWith(commit.Keys);
                bytes += commit.Bytes;
                waiting.Remove(node);
            }
            node = next;
        }
        return round;
    }

    private async Task ReadRoundAsync(List<PendingRead> round)
    {
        RoundSize.Record(round.Count, ReadKind);
        try
        {
            using var cts = new CancellationTokenSource(RoundTimeout);
            var keys = round.Count == 1 ? round[0].Keys : round.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal).ToList();
            var read = await _dapr.ReadManyRawAsync(keys, cts.Token);
            if (round.Count == 1)
            {
                round[0].Done.TrySetResult(read); // its own keys exactly: nothing to split
                return;
            }
            foreach (var pending in round)
            {
                var own = new Dictionary<string, (string?, string?)>(pending.Keys.Count, StringComparer.Ordinal);
                foreach (var key in pending.Keys)
                {
                    own[key] = read[key];
                }
                pending.Done.TrySetResult(own);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in round)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private async Task CommitRoundAsync(List<PendingCommit> round)
    {
        RoundSize.Record(round.Count, CommitKind);
        if (round.Count == 1)
        {
            await CommitAloneAsync(round[0]);
            return;
        }
        try
        {
            using var cts = new CancellationTokenSource(RoundTimeout);
            await _dapr.CommitAsync([.. round.SelectMany(c => c.Operations)], cts.Token);
            foreach (var pending in round)
            {
                pending.Done.TrySetResult();
            }
        }
        catch (Exception e) when (NatterState.IsConflict(e))
        {
            // Nothing was written: whose etag went stale is each caller's own answer.
            _logger.LogDebug(e, "A round of {Commits} transactions conflicted; committing each alone", round.Count);
            await Task.WhenAll(round.Select(CommitAloneAsync));
        }
        catch (Exception e)
        {
            foreach (var pending in round)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private async Task CommitAloneAsync(PendingCommit pending)
    {
        try
        {
            using var cts = new CancellationTokenSource(RoundTimeout);
            await _dapr.CommitAsync(pending.Operations, cts.Token);
            pending.Done.TrySetResult();
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(e);
        }
    }

    private sealed class PendingRead(IReadOnlyCollection<string> keys)
    {
        public IReadOnlyCollection<string> Keys { get; } = keys;

        public TaskCompletionSource<Dictionary<string, (string? Json, string? ETag)>> Done { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PendingCommit(IReadOnlyList<StateTransactionRequest> operations)
    {
        public IReadOnlyList<StateTransactionRequest> Operations { get; } = operations;

        public HashSet<string> Keys { get; } = operations.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

        public long Bytes { get; } = operations.Sum(o => (long)(o.Value?.Length ?? 0) + o.Key.Length);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
