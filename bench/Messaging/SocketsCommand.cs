namespace Natter.Benchmarks.Messaging;

/// <summary>
/// Memory and CPU of idle sockets on one gateway, for profiling: starts the AppHost, waits for a quiet machine, opens
/// the sockets, holds them while their leases and upkeep run, and prints the gateway's RSS growth per socket and the
/// CPU each process kind used while they were held.
///   dotnet run -c Release --project bench -- sockets [--count 18000] [--hold-seconds 30]
/// </summary>
public static class SocketsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var limit = FileLimits.Raise(1_100_000);
        var count = (int)Math.Min((ulong)BenchOptions.Int(args, "--count", 18_000), limit - 2_000);
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-sockets-{Guid.NewGuid():N}");
        await using var app = await MessagingBenchmark.StartAppHostAsync(runDirectory, BenchOptions.Text(args, "--trace-ratio") ?? MessagingBenchmark.DefaultTraceRatio);
        var load = await MachineLoad.WaitForQuietAsync(TimeSpan.FromSeconds(BenchOptions.Int(args, "--quiet-wait-seconds", 240)));
        Console.WriteLine($"1-minute load {load:F2}; opening {count} sockets (open-file limit {limit}) ...");
        var hold = TimeSpan.FromSeconds(BenchOptions.Int(args, "--hold-seconds", 30));
        var result = await IdleSockets.MeasureAsync(new NatterTarget(app), "gateway-a", count, hold);
        Console.WriteLine($"{result.Held} held for {hold.TotalSeconds:F0} s: gateway-a RSS {result.RssBeforeBytes / 1048576.0:F0} → {result.RssAfterBytes / 1048576.0:F0} MB, {result.KiBPerSocket:F1} KiB per socket{(result.Shortfall is { } why ? $"; {why}" : "")}");
        Console.WriteLine($"while held: whole machine {result.HeldCpu.PercentOfOneCore:F1}% of one core");
        foreach (var (kind, seconds) in result.HeldCpu.CpuSeconds.OrderByDescending(k => k.Value))
        {
            Console.WriteLine($"  {kind,-22} {seconds / result.HeldCpu.Seconds * 100,6:F1}%");
        }
        Console.WriteLine($"1-minute load at the end: {MachineLoad.OneMinute():F2}");
        return 0;
    }
}
