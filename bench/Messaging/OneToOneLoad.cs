using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Natter.Client;
using Natter.Contracts;

namespace Natter.Benchmarks.Messaging;

/// <summary>What one fixed-rate 1:1 run measured.</summary>
public sealed record LoadRun(
    int Offered, double Seconds, int Sent, int ReceivedInWindow, int Received, int Failed, LongHistogram Latency,
    IReadOnlyDictionary<string, double> CpuSeconds)
{
    /// <summary>Messages received while the senders were sending, per second: what the system kept up with.</summary>
    public double Delivered => ReceivedInWindow / Seconds;

    /// <summary>Kept up: nearly all offered messages arrived within the window, none failed, and the tail stayed under a second.</summary>
    public bool KeptUp => Failed == 0 && ReceivedInWindow >= 0.95 * Sent && Latency.TotalCount > 0 && Latency.GetValueAtPercentile(99) < 1_000_000;

    public double Ms(double percentile) => Latency.TotalCount == 0 ? double.NaN : Latency.GetValueAtPercentile(percentile) / 1000.0;
}

/// <summary>
/// 1:1 load: pairs of users, each pair in its own chat, each sender on one entry point and its receiver on the other.
/// Open loop: every sender sends on its own schedule (rate / pairs), so slow answers never lower the offered load.
/// The message text is the send's timestamp on this process's monotonic clock; receivers turn it into latency.
/// </summary>
public sealed class OneToOneLoad : IAsyncDisposable
{
    private readonly List<(NatterClient Client, string ChatId)> _senders = [];
    private readonly List<NatterClient> _receivers = [];

    private OneToOneLoad()
    {
    }

    public int Pairs => _senders.Count;

    public static async Task<OneToOneLoad> ConnectAsync(Target target, int pairs)
    {
        var load = new OneToOneLoad();
        var run = Guid.NewGuid().ToString("N")[..8];
        await Parallel.ForEachAsync(Enumerable.Range(0, pairs), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var (a, b) = ($"p{run}a{i}", $"p{run}b{i}");
            var sender = await target.ConnectAsync(a, i);
            var receiver = await target.ConnectAsync(b, i + 1);
            var chat = await sender.CreateChatAsync([b]);
            lock (load)
            {
                load._senders.Add((sender, chat.ChatId));
                load._receivers.Add(receiver);
            }
        });
        return load;
    }

    public async Task<LoadRun> RunAsync(int rate, TimeSpan duration)
    {
        var latency = Latencies.Histogram();
        int sent = 0, failed = 0, received = 0, receivedInWindow = 0;
        var sending = 1;
        using var stop = new CancellationTokenSource();
        var readers = _receivers.Select(r => Latencies.ReadAsync(r, latency, () =>
        {
            Interlocked.Increment(ref received);
            if (Volatile.Read(ref sending) == 1)
            {
                Interlocked.Increment(ref receivedInWindow);
            }
        }, stop.Token)).ToList();
        var cpuBefore = ProcessCpu.Snapshot();
        var started = Stopwatch.GetTimestamp();
        var perPair = rate / (double)_senders.Count;
        await Task.WhenAll(_senders.Select(s => SendAsync(s.Client, s.ChatId)));
        var window = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Volatile.Write(ref sending, 0);
        var cpuAfter = ProcessCpu.Snapshot();
        // What was still on its way arrives (or is given up on) before the next run starts.
        var drainStart = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref received) < Volatile.Read(ref sent) - Volatile.Read(ref failed)
               && Stopwatch.GetElapsedTime(drainStart) < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        // What the run left behind (acknowledgements, receipts, queued turns) is worked off before the next run starts.
        var settled = await MachineLoad.WaitForIdleCpuAsync(TimeSpan.FromSeconds(90));
        if (settled > TimeSpan.FromSeconds(10))
        {
            Console.WriteLine($"  (the machine took {settled.TotalSeconds:F0} s to settle after the run)");
        }
        return new LoadRun(rate, window, sent, receivedInWindow, received, failed, latency, ProcessCpu.Between(cpuBefore, cpuAfter));

        async Task SendAsync(NatterClient client, string chatId)
        {
            // Message k of this sender is due at (k + phase) / perPair seconds; the random phase keeps the pairs from
            // sending in lockstep. The sender sleeps until the next one is due, and sends every overdue one at once.
            var phase = Random.Shared.NextDouble();
            var inflight = new List<Task>();
            for (var k = 0; ; )
            {
                var due = (k + phase) / perPair;
                if (due >= duration.TotalSeconds)
                {
                    break;
                }
                var wait = due - Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (wait > 0.001)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait));
                }
                var now = Stopwatch.GetElapsedTime(started).TotalSeconds;
                for (; (k + phase) / perPair <= now && (k + phase) / perPair < duration.TotalSeconds; k++)
                {
                    inflight.Add(SendOneAsync(client, chatId));
                }
            }
            await Task.WhenAll(inflight);
        }

        async Task SendOneAsync(NatterClient client, string chatId)
        {
            Interlocked.Increment(ref sent);
            try
            {
                var result = await client.SendMessageAsync(chatId, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
                if (result.Status != SendStatus.Success)
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (Exception e) when (e is NatterDisconnectedException or NatterErrorException or TimeoutException or OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }

    /// <summary>
    /// Finds saturation by stepping the offered rate up by half each time, from start, until a step no longer keeps up
    /// (<see cref="LoadRun.KeptUp"/>). The saturated rate is the most delivered per second by any step.
    /// </summary>
    public async Task<IReadOnlyList<LoadRun>> StepAsync(int start, TimeSpan step, int maxRate, Action<LoadRun> progress)
    {
        var runs = new List<LoadRun>();
        for (var rate = start; rate <= maxRate; rate = (int)(rate * 1.5))
        {
            var run = await RunAsync(rate, step);
            runs.Add(run);
            progress(run);
            if (!run.KeptUp)
            {
                break;
            }
        }
        return runs;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _senders.Select(s => s.Client).Concat(_receivers))
        {
            await client.DisposeAsync();
        }
    }
}
