using System.Globalization;

namespace Natter.Benchmarks.Messaging;

/// <summary>
/// Where an idle Natter's CPU goes, for profiling: starts the AppHost, waits for a quiet machine, then prints the busy
/// CPU of each of its processes over the window.
///   dotnet run -c Release --project bench -- idle [--seconds 30] [--trace-ratio 0.01|always]
/// </summary>
public static class IdleCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-idle-{Guid.NewGuid():N}");
        await using var app = await MessagingBenchmark.StartAppHostAsync(runDirectory, BenchOptions.Text(args, "--trace-ratio") ?? MessagingBenchmark.DefaultTraceRatio);
        var load = await MachineLoad.WaitForQuietAsync(TimeSpan.FromSeconds(BenchOptions.Int(args, "--quiet-wait-seconds", 240)));
        var window = TimeSpan.FromSeconds(BenchOptions.Int(args, "--seconds", 30));
        Console.WriteLine($"1-minute load {load:F2}; measuring {window.TotalSeconds:F0} s ...");
        var before = ProcessCpu.PerProcess();
        var idle = await MessagingBenchmark.IdleCpuAsync(window);
        var after = ProcessCpu.PerProcess();
        Console.WriteLine($"whole machine: {idle.PercentOfOneCore:F1}% of one core");
        foreach (var (kind, seconds) in idle.CpuSeconds.OrderByDescending(k => k.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-22} {seconds / idle.Seconds * 100,6:F2}%"));
        }
        foreach (var (pid, (name, ticks)) in after.OrderByDescending(p => p.Value.Seconds - (before.TryGetValue(p.Key, out var b) ? b.Seconds : 0)).Take(20))
        {
            var used = ticks - (before.TryGetValue(pid, out var b) ? b.Seconds : 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {pid,7} {used / idle.Seconds * 100,6:F2}%  {name}"));
        }
        return 0;
    }
}
