using Aspire.Hosting;

namespace Natter.Chaos;

/// <summary>How long and how hard a chaos run is. Every part is bounded: the run stops by itself.</summary>
public sealed record ChaosOptions
{
    public ChaosLoadOptions Load { get; init; } = new();

    /// <summary>Load before the first fault, so the figures start from a system at work.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load after each fault's recovery, before the next fault.</summary>
    public TimeSpan CalmAfterFault { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A killed process must be back (restarted and healthy) within this.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Fault cycles run until both minimums are met (at least one cycle), or MaxDuration passes.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.Zero;

    public int MinAcknowledged { get; init; }

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>After the last fault: a message still being resent gets this long to reach SUCCESS.</summary>
    public TimeSpan SendGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Then every acknowledged message has this long to reach every device.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(60);

    public Action<string> Progress { get; init; } = _ => { };
}

public sealed record ChaosResult(ChaosReport Report, ChaosLog Log, ChaosTopology Topology);

/// <summary>Load on the real AppHost, the faults one at a time with recovery after each, then the history check.</summary>
public static class ChaosScenario
{
    public static async Task<ChaosResult> RunAsync(DistributedApplication app, ChaosOptions options, CancellationToken ct)
    {
        var history = new ChaosHistory();
        await using var load = await ChaosLoad.StartAsync(app, history, options.Load, ct);
        options.Progress($"{load.DeviceCount} devices of {load.Topology.UserOfDevice.Values.Distinct().Count()} users in {load.Topology.MembersOfChat.Count} chats; sending {options.Load.MessagesPerSecond} msg/s");
        foreach (var reconnect in load.Reconnects)
        {
            options.Progress($"dropped during set-up: {reconnect}");
        }
        var faults = new ChaosFaults(app, history, options.RecoveryTimeout);
        var sending = load.SendAsync(options.Load);
        var started = DateTime.UtcNow;
        try
        {
            await Task.Delay(options.WarmUp, ct);
            for (var round = 0; ; round++)
            {
                foreach (var fault in ChaosFault.Cycle(round))
                {
                    options.Progress($"{(DateTime.UtcNow - started).TotalSeconds:F0} s: {fault.Name}");
                    await faults.InjectAsync(fault, options.CalmAfterFault, ct);
                    var last = history.Snapshot().Faults[^1];
                    options.Progress($"  {(last.Recovered ? "recovered" : "NOT RECOVERED")} {(last.EndMs - last.StartMs) / 1000:F1} s after the fault: {last.Detail}");
                }
                var acked = history.Snapshot().Attempts.Count(a => a.Outcome == SendOutcome.Success);
                var elapsed = DateTime.UtcNow - started;
                options.Progress($"{elapsed.TotalSeconds:F0} s: round {round + 1} done, {acked} acknowledged");
                if (elapsed >= options.MinDuration && acked >= options.MinAcknowledged || elapsed >= options.MaxDuration)
                {
                    break;
                }
            }
        }
        finally
        {
            load.StopSending(options.SendGrace);
            await sending;
        }
        options.Progress("sending stopped; settling");
        await load.SettleAsync(options.Settle);
        load.RecordDuplicates();
        var log = history.Snapshot();
        return new ChaosResult(HistoryChecker.Check(log, load.Topology), log, load.Topology);
    }
}
