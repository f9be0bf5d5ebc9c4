namespace Natter.Benchmarks.Messaging;

/// <summary>
/// One steady 1:1 run at a fixed rate, for profiling: starts the AppHost, runs the load, and prints latency and the CPU
/// each process kind spent per message. Attach dotnet-trace to a pid it prints while it runs. Writes nothing to
/// BENCHMARKS.md: the messaging benchmark is where figures come from.
///   dotnet run -c Release --project bench -- load [--pairs 200] [--rate 100] [--seconds 30] [--warmup 5] [--fanout-rounds 0] [--trace-ratio 0.01|always]
/// With --fanout-rounds, a 100-member fan-out of that many messages follows, as the messaging benchmark runs it.
/// </summary>
public static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-load-{Guid.NewGuid():N}");
        await using var app = await MessagingBenchmark.StartAppHostAsync(runDirectory, BenchOptions.Text(args, "--trace-ratio") ?? MessagingBenchmark.DefaultTraceRatio);
        var rate = BenchOptions.Int(args, "--rate", 100);
        await using var pairs = await OneToOneLoad.ConnectAsync(new NatterTarget(app), BenchOptions.Int(args, "--pairs", 200));
        // Warm-up: actor activations, connection pools, and the JIT, whose tier-1 recompilation across a dozen processes
        // takes minutes of CPU on two cores.
        await pairs.RunAsync(rate, TimeSpan.FromSeconds(BenchOptions.Int(args, "--warmup", 5)));
        foreach (var (pid, (name, _)) in ProcessCpu.PerProcess().OrderBy(p => p.Value.Name))
        {
            Console.WriteLine($"  pid {pid,-8} {name}");
        }
        Console.WriteLine($"1-minute load {MachineLoad.OneMinute():F2}; running {rate} msg/s ...");
        var commandsBefore = await RedisCommands.CountAsync(app);
        var run = await pairs.RunAsync(rate, TimeSpan.FromSeconds(BenchOptions.Int(args, "--seconds", 30)));
        var commandsAfter = await RedisCommands.CountAsync(app);
        Console.WriteLine($"offered {run.Offered}/s, delivered {run.Delivered:F0}/s, {run.Failed} failed, p50 {run.Ms(50):F1} ms, p99 {run.Ms(99):F1} ms, p99.9 {run.Ms(99.9):F1} ms");
        var total = 0.0;
        foreach (var (kind, seconds) in run.CpuSeconds.OrderByDescending(k => k.Value))
        {
            total += seconds;
            Console.WriteLine($"  {kind,-22} {seconds / Math.Max(1, run.Sent) * 1e6,8:F0} µs/msg");
        }
        Console.WriteLine($"  {"all",-22} {total / Math.Max(1, run.Sent) * 1e6,8:F0} µs/msg");
        var perMessage = RedisCommands.PerMessage(commandsBefore, commandsAfter, run.Sent).ToList();
        Console.WriteLine($"redis commands per message: {perMessage.Sum(c => c.PerMessage):F2}");
        foreach (var (command, count) in perMessage)
        {
            Console.WriteLine($"  {command,-22} {count,8:F2}");
        }
        if (BenchOptions.Int(args, "--fanout-rounds", 0) is > 0 and var rounds)
        {
            var fanOut = await GroupLoad.FanOutAsync(new NatterTarget(app), rounds);
            Console.WriteLine($"fan-out: {fanOut.TotalCount} deliveries, p50 {fanOut.GetValueAtPercentile(50) / 1000.0:F1} ms, p99 {fanOut.GetValueAtPercentile(99) / 1000.0:F1} ms");
        }
        return 0;
    }
}
