using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Natter.Benchmarks.Messaging;

/// <summary>
/// End-to-end messaging figures, side by side with a bare WebSocket relay on the same machine in the same invocation.
///   dotnet run -c Release --project bench -- messaging [--pairs 200] [--step-seconds 10] [--seconds 20]
///       [--fanout-rounds 30] [--drain 10000] [--idle-sockets 50000] [--trace-ratio 0.01|always] [--quiet-wait-seconds 240]
/// 1. The relay (<see cref="RelayServer"/>, its own process): 1:1 saturation by stepping the offered rate, then half of it.
/// 2. Natter (the AppHost in-process, as the end-to-end tests start it): idle CPU of the whole machine; 1:1 saturation by
///    stepping; half of it (latency and CPU per message per process kind); light load in small groups; 100-member
///    fan-out; the reconnect drain; memory per idle socket on one gateway.
/// The load generator is the same NatterClient code for both. Each phase waits (bounded) for a quiet machine and
/// records the load average it started at; a phase that started loaded is marked so and its figures are not used.
/// </summary>
public static class MessagingBenchmark
{
    /// <summary>Traces are sampled as production would (1%); `--trace-ratio always` measures the development default.</summary>
    public const string DefaultTraceRatio = "0.01";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new MessagingSettings(
            Pairs: BenchOptions.Int(args, "--pairs", 200),
            Step: TimeSpan.FromSeconds(BenchOptions.Int(args, "--step-seconds", 10)),
            Steady: TimeSpan.FromSeconds(BenchOptions.Int(args, "--seconds", 20)),
            FanOutRounds: BenchOptions.Int(args, "--fanout-rounds", 30),
            DrainCount: BenchOptions.Int(args, "--drain", 10_000),
            IdleSockets: BenchOptions.Int(args, "--idle-sockets", 50_000),
            TraceRatio: BenchOptions.Text(args, "--trace-ratio") ?? DefaultTraceRatio,
            QuietWait: TimeSpan.FromSeconds(BenchOptions.Int(args, "--quiet-wait-seconds", 240)),
            NatterWarmup: TimeSpan.FromSeconds(BenchOptions.Int(args, "--natter-warmup-seconds", 60)),
            NatterStart: BenchOptions.Int(args, "--natter-start", 50));
        var fileLimit = FileLimits.Raise((ulong)settings.IdleSockets * 2 + 100_000);
        Console.WriteLine($"Open-file limit: {fileLimit}");
        var report = new MessagingReport(args, settings, fileLimit);

        report.Relay = await RelayPhaseAsync(settings);
        report.Natter = await NatterPhaseAsync(settings);
        report.LoadAtEnd = MachineLoad.All();

        var markdown = report.Markdown();
        Console.WriteLine(markdown);
        BenchmarksMarkdown.WriteSection("messaging", markdown);
        return 0;
    }

    private static async Task<RelayFigures> RelayPhaseAsync(MessagingSettings settings)
    {
        var port = FreePort();
        using var relay = StartRelay(port);
        try
        {
            await WaitHealthyAsync(new Uri($"http://127.0.0.1:{port}/health"));
            var load = await MachineLoad.WaitForQuietAsync(settings.QuietWait);
            Console.WriteLine($"Relay: 1-minute load {load:F2} at the start");
            await using var pairs = await OneToOneLoad.ConnectAsync(new RelayTarget(new Uri($"ws://127.0.0.1:{port}/ws")), settings.Pairs);
            await pairs.RunAsync(1_000, TimeSpan.FromSeconds(5)); // warm-up: JIT and connection pools, not measured
            var steps = await pairs.StepAsync(5_000, settings.Step, 1_000_000, Progress("relay"));
            var saturated = steps.Max(s => s.Delivered);
            var half = await pairs.RunAsync((int)(saturated / 2), settings.Steady);
            Progress("relay, half")(half);
            return new RelayFigures(load, steps, saturated, half);
        }
        finally
        {
            relay.Kill(entireProcessTree: true);
            await relay.WaitForExitAsync();
        }
    }

    private static async Task<NatterFigures> NatterPhaseAsync(MessagingSettings settings)
    {
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-bench-{Guid.NewGuid():N}");
        await using var app = await StartAppHostAsync(runDirectory, settings.TraceRatio);
        var target = new NatterTarget(app);
        var load = await MachineLoad.WaitForQuietAsync(settings.QuietWait);
        Console.WriteLine($"Natter: 1-minute load {load:F2} at the start");

        var idle = await IdleCpuAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"Idle: {idle.PercentOfOneCore:F1}% of one core");

        LoadRun[] steps;
        LoadRun half;
        await using (var pairs = await OneToOneLoad.ConnectAsync(target, settings.Pairs))
        {
            // Warm-up, not measured: actor activations, connection pools, and the JIT. A dozen .NET processes recompile
            // their hot methods at tier 1 on two cores for about a minute of load (one gateway compiled 1,495 methods in
            // its first 15 s of load, 169 in the next 15 s); stepping before that measures the compiler, not Natter.
            await pairs.RunAsync(settings.NatterStart, settings.NatterWarmup);
            steps = [.. await pairs.StepAsync(settings.NatterStart, settings.Step, 100_000, Progress("natter"))];
            var saturated = steps.Max(s => s.Delivered);
            half = await pairs.RunAsync((int)(saturated / 2), settings.Steady);
            Progress("natter, half")(half);
        }
        Console.WriteLine("Light load: 30 msg/s in chats of 2 to 10 ...");
        var light = await GroupLoad.LightAsync(target, chats: 12, rate: 30, TimeSpan.FromSeconds(30));
        Console.WriteLine($"Fan-out: 100-member chat, {settings.FanOutRounds} messages ...");
        var fanOut = await GroupLoad.FanOutAsync(target, settings.FanOutRounds);
        Console.WriteLine($"Drain: {settings.DrainCount} pending messages ...");
        var drain = await GroupLoad.DrainAsync(target, settings.DrainCount);
        // Every socket is a descriptor in the gateway and in this process; where the hard limit cannot be raised, the
        // count is capped below it and the report says so.
        var fileLimit = (int)Math.Min(int.MaxValue, FileLimits.Current());
        var count = Math.Min(settings.IdleSockets, fileLimit - 2_000);
        Console.WriteLine($"Idle sockets: {count} on gateway-a ...");
        var sockets = await IdleSockets.MeasureAsync(target, "gateway-a", count, TimeSpan.FromSeconds(25));
        if (count < settings.IdleSockets)
        {
            sockets = sockets with
            {
                Requested = settings.IdleSockets,
                Shortfall = $"capped at {count:N0}: the open-file limit here is {fileLimit:N0} per process and its hard limit cannot be raised, even as root"
                    + (sockets.Shortfall is { } why ? $"; {why}" : ""),
            };
        }
        Console.WriteLine($"  {sockets.Held} held, {sockets.KiBPerSocket:F1} KiB each");
        try
        {
            Directory.Delete(runDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return new NatterFigures(load, idle, steps, steps.Max(s => s.Delivered), half, light.Latency, light.Messages, fanOut, drain, sockets);
    }

    /// <summary>The AppHost in this process, as the end-to-end tests start it, once its services are healthy.</summary>
    public static async Task<DistributedApplication> StartAppHostAsync(string runDirectory, string? traceRatio)
    {
        Console.WriteLine("Starting the AppHost ...");
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        // With the dashboard, as `./natter up` runs: without it the services' OTLP exports fail and are retried, which
        // costs CPU no deployment with a collector pays.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Natter:RunDirectory={runDirectory}", "--Dapr:Runtime=local"],
            (options, _) => options.DisableDashboard = false, startTimeout.Token);
        // The services' own logs still go to the dashboard; echoing every resource's output here would cost CPU
        // the system under test needs.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)); // resources are unhealthy until they have started
        if (traceRatio is { } ratio && ratio != "always")
        {
            // Aspire's development default traces every request (always_on) and exports metrics every second;
            // production (deploy/kubernetes) samples 1% of traces.
            foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().ToList())
            {
                builder.CreateResourceBuilder(resource)
                    .WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
                    .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio)
                    // and metrics at the SDK's default interval (deploy/kubernetes sets none), not the dashboard's 1 s
                    .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "60000");
            }
        }
        var app = await builder.BuildAsync(startTimeout.Token);
        await app.StartAsync(startTimeout.Token);
        foreach (var resource in new[] { "chatservice-a", "chatservice-b", "gateway-a", "gateway-b" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startTimeout.Token);
        }
        return app;
    }

    /// <summary>The whole machine's busy CPU while Natter runs with no client, and who uses it.</summary>
    public static async Task<IdleCpu> IdleCpuAsync(TimeSpan window)
    {
        var before = ProcessCpu.Snapshot();
        var busyBefore = SystemCpu.BusySeconds();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new IdleCpu((SystemCpu.BusySeconds() - busyBefore) / seconds * 100, ProcessCpu.Between(before, ProcessCpu.Snapshot()), seconds);
    }

    private static Action<LoadRun> Progress(string name) => run => Console.WriteLine(
        $"  {name}: offered {run.Offered}/s, delivered {run.Delivered:F0}/s, {run.Failed} failed, p50 {run.Ms(50):F1} ms, p99 {run.Ms(99):F1} ms{(run.KeptUp ? "" : " (did not keep up)")}");

    private static Process StartRelay(int port)
    {
        // Run this same benchmark binary as the relay: with `dotnet bench.dll` when started that way, else its apphost.
        var self = Environment.ProcessPath!;
        var info = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { typeof(MessagingBenchmark).Assembly.Location } }
            : new ProcessStartInfo(self);
        info.ArgumentList.Add("relay-server");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["DOTNET_gcServer"] = "1";
        // The reference stays as every earlier run measured it: the runtime's default spin (70), not the load
        // generator's 0 from this binary's runtimeconfig (Benchmarks.csproj); the variable takes precedence over it.
        info.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "70";
        return Process.Start(info)!;
    }

    private static async Task WaitHealthyAsync(Uri health)
    {
        using var http = new HttpClient();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                (await http.GetAsync(health)).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record MessagingSettings(
    int Pairs, TimeSpan Step, TimeSpan Steady, int FanOutRounds, int DrainCount, int IdleSockets, string? TraceRatio, TimeSpan QuietWait,
    TimeSpan NatterWarmup, int NatterStart);

public sealed record IdleCpu(double PercentOfOneCore, IReadOnlyDictionary<string, double> CpuSeconds, double Seconds);

public sealed record RelayFigures(double LoadAtStart, IReadOnlyList<LoadRun> Steps, double Saturated, LoadRun Half);

public sealed record NatterFigures(
    double LoadAtStart, IdleCpu Idle, IReadOnlyList<LoadRun> Steps, double Saturated, LoadRun Half,
    HdrHistogram.LongHistogram Light, int LightMessages, HdrHistogram.LongHistogram FanOut, double DrainSeconds, IdleSocketsResult Sockets);
