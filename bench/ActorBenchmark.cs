using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Hosting;

namespace Natter.Benchmarks;

/// <summary>
/// Actor call latency through the local sidecar: one app instance (the official Dapr actor runtime) and its sidecar
/// (the real SidecarApplication) in this process, a real redis-server as actor state store. Calls go
/// proxy -> sidecar -> app -> actor, as the chat service's calls to its chat actor do.
/// </summary>
public static class ActorBenchmark
{
    private const int Warmup = 2_000;
    private const int SequentialCalls = 10_000;
    private const int ParallelCallers = 16;
    private const int ParallelCallsPerCaller = 1_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var work = Directory.CreateTempSubdirectory("natter-actor-bench-").FullName;
        var redisPort = FreePort();
        using var redis = StartRedis(redisPort, work);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work, "statestore.yaml"), $"""
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                    - name: redisHost
                      value: "127.0.0.1:{redisPort}"
                    - name: actorStateStore
                      value: "true"
                """);
            var appPort = FreePort();
            var httpPort = FreePort();
            var sidecarUrl = $"http://127.0.0.1:{httpPort}";
            await using var sidecar = SidecarApplication.Build(
                ["--app-id", "bench", "--app-port", Invariant(appPort), "--dapr-http-port", Invariant(httpPort),
                 "--dapr-grpc-port", Invariant(FreePort()), "--resources-path", work, "--log-level", "warn"],
                new SidecarEnvironment(new Dictionary<string, string?>()),
                builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
            await sidecar.StartAsync();
            await using var app = BuildApp(appPort, sidecarUrl);
            await app.StartAsync();
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await sidecar.Services.GetRequiredService<ActorPlacement>().WhenReady.WaitAsync(ready.Token);
            }

            var proxies = new ActorProxyFactory(new ActorProxyOptions { HttpEndpoint = sidecarUrl });
            var chat = proxies.CreateActorProxy<IBenchChatActor>(new ActorId("chat-0"), nameof(BenchChatActor));
            for (var i = 0; i < Warmup; i++)
            {
                await chat.PingAsync();
                await chat.PostAsync("warm-up");
            }

            var ping = await MeasureSequentialAsync(() => chat.PingAsync());
            var post = await MeasureSequentialAsync(() => chat.PostAsync("hello"));
            var (parallel, perSecond) = await MeasureParallelAsync(proxies);

            await app.StopAsync();
            await sidecar.StopAsync();

            var section = Report(ping, post, parallel, perSecond, args);
            Console.WriteLine(section);
            BenchmarksMarkdown.WriteSection("actors", $"## Actor calls (through the local sidecar)\n\n{section}");
            return 0;
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<LongHistogram> MeasureSequentialAsync(Func<Task> call)
    {
        var histogram = new LongHistogram(TimeStamp.Seconds(10), 3);
        for (var i = 0; i < SequentialCalls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            histogram.RecordValue(Stopwatch.GetTimestamp() - start);
        }
        return histogram;
    }

    private static async Task<(LongHistogram Histogram, double CallsPerSecond)> MeasureParallelAsync(ActorProxyFactory proxies)
    {
        var histogram = new LongConcurrentHistogram(1, TimeStamp.Seconds(10), 3);
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, ParallelCallers).Select(async caller =>
        {
            // Each caller talks to its own chat: different actors run in parallel, one actor's turns never do.
            var chat = proxies.CreateActorProxy<IBenchChatActor>(new ActorId($"chat-{caller}"), nameof(BenchChatActor));
            for (var i = 0; i < ParallelCallsPerCaller; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await chat.PostAsync("hello");
                histogram.RecordValue(Stopwatch.GetTimestamp() - start);
            }
        }));
        total.Stop();
        var copy = new LongHistogram(TimeStamp.Seconds(10), 3);
        copy.Add(histogram);
        return (copy, ParallelCallers * ParallelCallsPerCaller / total.Elapsed.TotalSeconds);
    }

    private static WebApplication BuildApp(int port, string sidecarUrl)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<BenchChatActor>();
            options.HttpEndpoint = sidecarUrl;
        });
        var app = builder.Build();
        app.MapActorsHandlers();
        return app;
    }

    private static string Report(LongHistogram ping, LongHistogram post, LongHistogram parallel, double perSecond, string[] args)
    {
        static string Ms(LongHistogram h, double percentile) =>
            (h.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency).ToString("0.000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {BenchmarksMarkdown.Machine()}");
        if (File.Exists("/proc/loadavg"))
        {
            // Other work on the machine shows in the tail percentiles; the load average says how much there was.
            text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) at the end: {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run -c Release --project bench -- actors{(args.Length > 0 ? " " + string.Join(' ', args) : "")}`");
        text.AppendLine("- Setup: one app instance (Dapr.Actors.AspNetCore 1.19 runtime) and its local sidecar in one process, real redis-server as actor state store; remoting proxy (`ActorProxyFactory`) over HTTP to the sidecar.");
        text.AppendLine();
        text.AppendLine("| Call | Calls | p50 ms | p90 ms | p99 ms | max ms |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Ping (no state), 1 caller | {SequentialCalls} | {Ms(ping, 50)} | {Ms(ping, 90)} | {Ms(ping, 99)} | {Ms(ping, 100)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Post (state read + transactional write), 1 caller | {SequentialCalls} | {Ms(post, 50)} | {Ms(post, 90)} | {Ms(post, 99)} | {Ms(post, 100)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Post, {ParallelCallers} callers on {ParallelCallers} actors | {ParallelCallers * ParallelCallsPerCaller} | {Ms(parallel, 50)} | {Ms(parallel, 90)} | {Ms(parallel, 99)} | {Ms(parallel, 100)} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Throughput with {ParallelCallers} callers: {perSecond:0} calls/s.");
        return text.ToString();
    }

    private static Process StartRedis(int port, string dir) =>
        Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Invariant(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server did not start");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

public interface IBenchChatActor : IActor
{
    Task<int> PingAsync();

    Task<int> PostAsync(string text);
}

/// <summary>Shaped like a chat actor: each post reads the chat's sequence number and stores the new one.</summary>
public sealed class BenchChatActor(ActorHost host) : Actor(host), IBenchChatActor
{
    public Task<int> PingAsync() => Task.FromResult(0);

    public async Task<int> PostAsync(string text)
    {
        var stored = await StateManager.TryGetStateAsync<int>("seq");
        var seq = (stored.HasValue ? stored.Value : 0) + 1;
        await StateManager.SetStateAsync("seq", seq);
        return seq;
    }
}
