using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Natter.Chaos;

namespace Natter.Benchmarks;

/// <summary>
/// The long chaos run (Natter issue 10): the real AppHost under about 40 msg/s from 20 users, the five faults in cycles
/// until at least --minutes have passed and --min-acked messages are acknowledged, then the history check. Its figures
/// go to RELIABILITY.md; it exits 1 when a target is missed, after printing the exact messages, devices and windows.
///   dotnet run -c Release --project bench -- chaos [--minutes 10] [--min-acked 20000] [--rate 40] [--users 20]
/// The scenario and the checker are the end-to-end suite's (tests/EndToEnd.Tests/Chaos), compiled in here.
/// </summary>
public static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = BenchOptions.Int(args, "--minutes", 10);
        var minAcked = BenchOptions.Int(args, "--min-acked", 20_000);
        var rate = BenchOptions.Int(args, "--rate", 40);
        var users = BenchOptions.Int(args, "--users", 20);

        Console.WriteLine("Starting the AppHost ...");
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-chaos-{Guid.NewGuid():N}");
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Natter:RunDirectory={runDirectory}", "--Dapr:Runtime=local"], startTimeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("AppHost.Resources", LogLevel.None));
        await using var app = await builder.BuildAsync(startTimeout.Token);
        await app.StartAsync(startTimeout.Token);
        foreach (var resource in new[] { "redis", "chatservice-a", "chatservice-b", "gateway-a", "gateway-b",
                     "chatservice-a-dapr", "chatservice-b-dapr", "gateway-a-dapr", "gateway-b-dapr" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startTimeout.Token);
        }

        var options = new ChaosOptions
        {
            Load = new ChaosLoadOptions(Users: users, MessagesPerSecond: rate),
            WarmUp = TimeSpan.FromSeconds(20),
            CalmAfterFault = TimeSpan.FromSeconds(20),
            MinDuration = TimeSpan.FromMinutes(minutes),
            MinAcknowledged = minAcked,
            MaxDuration = TimeSpan.FromMinutes(minutes * 3),
            Settle = TimeSpan.FromMinutes(2),
            Progress = Console.WriteLine,
        };
        using var bound = new CancellationTokenSource(options.MaxDuration + TimeSpan.FromMinutes(10));
        // The AppHost's own start (14 processes, JIT) loads the machine for a minute or so: wait (bounded) for the
        // 1-minute load to settle, then take it just before the load starts. A run that starts on a busy machine
        // measures the machine, so it says so and its timings are not figures.
        var loadAtStart = await MachineLoad.WaitForQuietAsync(TimeSpan.FromMinutes(4));
        Console.WriteLine($"1-minute load average at the start: {loadAtStart}{(loadAtStart > MachineLoad.Quiet ? " (LOADED: timings are not figures)" : "")}");
        var started = DateTime.UtcNow;
        var result = await ChaosScenario.RunAsync(app, options, bound.Token);
        var elapsed = DateTime.UtcNow - started;

        var logPath = Path.Combine(Path.GetTempPath(), $"natter-chaos-{started:yyyyMMddHHmmss}.jsonl");
        result.Log.WriteJsonLines(logPath, result.Topology);
        var report = result.Report;
        Console.WriteLine(report.Describe());
        Console.WriteLine($"complete log: {logPath}");
        WriteSection(Section(args, report, elapsed, result.Topology, loadAtStart));
        try
        {
            Directory.Delete(runDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return report.Passed ? 0 : 1;
    }

    private static string Section(string[] args, ChaosReport r, TimeSpan elapsed, ChaosTopology topology, double loadAtStart)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"### Long run, {DateTime.UtcNow:yyyy-MM-dd}");
        text.AppendLine();
        text.AppendLine(c, $"- Command: `dotnet run -c Release --project bench -- chaos {string.Join(' ', args)}`");
        text.AppendLine(c, $"- Machine: {BenchmarksMarkdown.Machine()}; 1-minute load average {loadAtStart:F2} at the start{(loadAtStart > MachineLoad.Quiet ? " (**loaded: the timings below are not figures**)" : "")}, {MachineLoad.OneMinute():F2} at the end");
        text.AppendLine(c, $"- {elapsed.TotalMinutes:F1} min, {topology.UserOfDevice.Values.Distinct().Count()} users, {topology.UserOfDevice.Count} devices, {topology.MembersOfChat.Count} chats");
        text.AppendLine(c, $"- Result: **{(r.Passed ? "PASSED" : "FAILED")}**");
        text.AppendLine();
        text.AppendLine("| Figure | Value |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(c, $"| Acknowledged messages | {r.Acknowledged} |");
        text.AppendLine(c, $"| Send attempts | {r.Attempts} |");
        text.AppendLine(c, $"| Lost (acknowledged, missing from a device) | {r.Lost.Count} |");
        text.AppendLine(c, $"| Duplicate seq | {r.DuplicateSeqs.Count} |");
        text.AppendLine(c, $"| Order violations | {r.OrderViolations.Count} |");
        text.AppendLine(c, $"| False FAILURE | {r.FalseFailures.Count} |");
        text.AppendLine(c, $"| Double stores (one clientMessageId, two messageIds) | {r.DoubleStores.Count} |");
        text.AppendLine(c, $"| Duplicate deliveries (allowed) | {r.DuplicateDeliveries} |");
        text.AppendLine(c, $"| Unresolved at the end (never SUCCESS nor FAILURE) | {r.Unresolved} |");
        text.AppendLine(c, $"| Send latency outside faults, p50 / p99 | {r.SendP50Ms:F0} / {r.SendP99Ms:F0} ms |");
        text.AppendLine(c, $"| Send to delivery outside faults, p99 | {r.DeliveryP99Ms:F0} ms |");
        text.AppendLine();
        text.AppendLine("| Fault | Window | Attempts succeeded | First SUCCESS after |");
        text.AppendLine("| --- | --- | --- | --- |");
        foreach (var a in r.Availability)
        {
            text.AppendLine(c, $"| {a.Fault} | {a.WindowSeconds:F1} s | {a.Successes}/{a.Attempts} ({a.Percent:F0}%) | {a.FirstSuccessAfterSeconds:F1} s |");
        }
        return text.ToString();
    }

    /// <summary>Replaces the long run's section of RELIABILITY.md (between its markers), nothing else.</summary>
    private static void WriteSection(string markdown)
    {
        var path = Path.Combine(BenchmarksMarkdown.RepoRoot(), "RELIABILITY.md");
        const string start = "<!-- chaos:start -->", end = "<!-- chaos:end -->";
        var existing = File.ReadAllText(path);
        var from = existing.IndexOf(start, StringComparison.Ordinal);
        var to = existing.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            throw new InvalidOperationException($"{path} has no {start} ... {end} section");
        }
        File.WriteAllText(path, existing[..(from + start.Length)] + "\n" + markdown.TrimEnd() + "\n" + existing[to..], new UTF8Encoding(false));
        Console.WriteLine($"Wrote the long run's figures to {path}");
    }
}
