using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Natter.Benchmarks;

/// <summary>
/// The local sidecar's overhead: state get/save through the SDK and the sidecar against the same Redis commands
/// sent directly (ratio in the same run), and publish→delivery latency and throughput through pubsub.redis.
/// Starts its own redis-server and sidecar process (Natter.Sidecar.dll) on free ports.
/// </summary>
public static class SidecarBenchmark
{
    private const int Warmup = 1_000;
    private const int Iterations = 10_000;
    private const int LatencyEvents = 2_000;
    private const int ThroughputEvents = 20_000;
    private const int Publishers = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = "dotnet run -c Release --project bench -- sidecar";
        var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        using var work = new TempDir();
        var redisPort = FreePort();
        using var redis = Start("redis-server", ["--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", work.Path, "--save", "", "--appendonly", "no"]);
        var redisAddress = $"127.0.0.1:{redisPort}";
        await using var direct = await ConnectAsync(redisAddress);

        File.WriteAllText(Path.Combine(work.Path, "statestore.yaml"), Component("statestore", "state.redis", $"redisHost: \"{redisAddress}\""));
        File.WriteAllText(Path.Combine(work.Path, "pubsub.yaml"), Component("pubsub", "pubsub.redis", $"redisHost: \"{redisAddress}\"", "concurrency: \"32\""));
        var (appPort, httpPort, grpcPort) = (FreePort(), FreePort(), FreePort());

        var received = new Delivered(ThroughputEvents + LatencyEvents);
        await using var app = await StartSubscriberAsync(appPort, received);
        using var sidecar = Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Natter.Sidecar.dll"),
            "--app-id", "bench", "--app-port", $"{appPort}", "--app-protocol", "http", "--dapr-http-port", $"{httpPort}",
            "--dapr-grpc-port", $"{grpcPort}", "--resources-path", work.Path, "--log-level", "warn"]);
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}").UseHttpEndpoint($"http://127.0.0.1:{httpPort}").Build();
        await WaitAsync(async () => (await dapr.CheckOutboundHealthAsync()) && await SubscribedAsync(httpPort), "the sidecar to start and subscribe");

        Console.WriteLine("State: direct Redis vs SDK → sidecar → Redis ...");
        var db = direct.GetDatabase();
        await db.HashSetAsync("direct||k", [new HashEntry("data", "\"value\""), new HashEntry("version", 1)]);
        await dapr.SaveStateAsync("statestore", "k", "value");
        var directGet = await MeasureAsync(() => db.HashGetAsync("direct||k", "data"));
        var sidecarGet = await MeasureAsync(() => dapr.GetStateAsync<string>("statestore", "k"));
        // The same call without the SDK's wrapper: separates the SDK's own cost from the sidecar's.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var raw = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        var rawRequest = new Dapr.Client.Autogen.Grpc.v1.GetStateRequest { StoreName = "statestore", Key = "k" };
        var rawGet = await MeasureAsync(() => raw.GetStateAsync(rawRequest).ResponseAsync);
        // A call that touches no Redis: the floor set by gRPC over loopback alone.
        var metadataRequest = new Dapr.Client.Autogen.Grpc.v1.GetMetadataRequest();
        var transportFloor = await MeasureAsync(() => raw.GetMetadataAsync(metadataRequest).ResponseAsync);
        var directSave = await MeasureAsync(() => db.HashSetAsync("direct||k", "data", "\"value\""));
        var sidecarSave = await MeasureAsync(() => dapr.SaveStateAsync("statestore", "k", "value"));

        Console.WriteLine("Pub/sub: publish → delivery latency (one event in flight) ...");
        var latency = new LongHistogram(TimeStamp.Seconds(10), 3);
        for (var i = 0; i < LatencyEvents; i++)
        {
            var before = received.Count;
            await dapr.PublishEventAsync("pubsub", "latency", new Probe(Stopwatch.GetTimestamp()));
            await WaitAsync(() => Task.FromResult(received.Count > before), "a delivery", TimeSpan.FromSeconds(10), poll: false);
        }
        foreach (var ticks in received.Drain())
        {
            latency.RecordValue(ticks);
        }

        Console.WriteLine($"Pub/sub: {ThroughputEvents} events from {Publishers} concurrent publishers ...");
        var throughputClock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < ThroughputEvents)
            {
                await dapr.PublishEventAsync("pubsub", "throughput", new Probe(Stopwatch.GetTimestamp()));
            }
        }));
        var publishedIn = throughputClock.Elapsed;
        await WaitAsync(() => Task.FromResult(received.Count >= ThroughputEvents), "all deliveries", TimeSpan.FromMinutes(2), poll: true);
        var deliveredIn = throughputClock.Elapsed;
        var loaded = new LongHistogram(TimeStamp.Seconds(60), 3);
        foreach (var ticks in received.Drain())
        {
            loaded.RecordValue(ticks);
        }

        var report = new StringBuilder();
        report.AppendLine("## Sidecar (local Dapr sidecar vs direct Redis)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {BenchmarksMarkdown.Machine()}");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`");
        report.AppendLine(CultureInfo.InvariantCulture, $"- 1-minute load average when the run started: {loadAverage} (other builds share this machine; p99 figures are sensitive to it)");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Setup: one redis-server 7 (no persistence), the sidecar as its own process (Release), the official SDK (gRPC) in the benchmark process; sequential calls, {Iterations} measured after {Warmup} warm-up.");
        report.AppendLine();
        report.AppendLine("| Operation | p50 (µs) | p99 (µs) | Ratio p50 / p99 vs direct |");
        report.AppendLine("|---|---:|---:|---:|");
        Row(report, "Direct Redis HGET", directGet, null);
        Row(report, "SDK GetState via sidecar (HMGET)", sidecarGet, directGet);
        Row(report, "Raw gRPC GetState via sidecar (generated client, no SDK)", rawGet, directGet);
        Row(report, "Raw gRPC GetMetadata (no Redis: the gRPC transport floor)", transportFloor, directGet);
        Row(report, "Direct Redis HSET", directSave, null);
        Row(report, "SDK SaveState via sidecar (Lua: etag check, HSET, version)", sidecarSave, directSave);
        report.AppendLine();
        report.AppendLine("| Pub/sub (pubsub.redis, Streams) | p50 (ms) | p99 (ms) | Rate |");
        report.AppendLine("|---|---:|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| Publish → app delivery, one in flight ({LatencyEvents} events) | {Ms(latency, 50)} | {Ms(latency, 99)} | |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| Publish → app delivery under load ({ThroughputEvents} events, {Publishers} publishers, concurrency 32) | {Ms(loaded, 50)} | {Ms(loaded, 99)} | {ThroughputEvents / deliveredIn.TotalSeconds:F0} deliveries/s ({ThroughputEvents / publishedIn.TotalSeconds:F0} publishes/s) |");
        report.AppendLine();
        report.AppendLine("Publisher, sidecar, subscriber app and Redis share the same cores, so the load figures include all four.");
        Console.WriteLine(report);
        BenchmarksMarkdown.WriteSection("sidecar", report.ToString());
        return 0;
    }

    private sealed record Probe(long SentAt);

    /// <summary>Delivery latencies in Stopwatch ticks, recorded by the subscriber as events arrive.</summary>
    private sealed class Delivered(int capacity)
    {
        private readonly List<long> _latencies = new(capacity);
        private readonly Lock _lock = new();

        public int Count
        {
            get { lock (_lock) { return _latencies.Count; } }
        }

        public void Add(long ticks)
        {
            lock (_lock) { _latencies.Add(ticks); }
        }

        public long[] Drain()
        {
            lock (_lock)
            {
                var all = _latencies.ToArray();
                _latencies.Clear();
                return all;
            }
        }
    }

    private static async Task<WebApplication> StartSubscriberAsync(int port, Delivered received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/dapr/subscribe", () => Results.Json(new[]
        {
            new { pubsubName = "pubsub", topic = "latency", route = "events" },
            new { pubsubName = "pubsub", topic = "throughput", route = "events" },
        }));
        app.MapPost("/events", async (HttpRequest request) =>
        {
            using var cloudEvent = await JsonDocument.ParseAsync(request.Body);
            var sentAt = cloudEvent.RootElement.GetProperty("data").GetProperty("sentAt").GetInt64();
            received.Add(Stopwatch.GetTimestamp() - sentAt);
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<LongHistogram> MeasureAsync(Func<Task> operation)
    {
        var histogram = new LongHistogram(TimeStamp.Seconds(10), 3);
        for (var i = 0; i < Warmup; i++)
        {
            await operation();
        }
        for (var i = 0; i < Iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            histogram.RecordValue(Stopwatch.GetTimestamp() - start);
        }
        return histogram;
    }

    private static void Row(StringBuilder report, string name, LongHistogram h, LongHistogram? baseline)
    {
        var ratio = baseline is null ? "1.0 / 1.0" : $"{Us(h, 50) / Us(baseline, 50):F1}× / {Us(h, 99) / Us(baseline, 99):F1}×";
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Us(h, 50):F0} | {Us(h, 99):F0} | {ratio} |");
    }

    private static double Us(LongHistogram h, double percentile) => h.GetValueAtPercentile(percentile) * 1_000_000.0 / Stopwatch.Frequency;

    private static string Ms(LongHistogram h, double percentile) =>
        (h.GetValueAtPercentile(percentile) * 1_000.0 / Stopwatch.Frequency).ToString("F2", CultureInfo.InvariantCulture);

    private static async Task<bool> SubscribedAsync(int httpPort)
    {
        using var http = new HttpClient();
        var metadata = await http.GetStringAsync($"http://127.0.0.1:{httpPort}/v1.0/metadata");
        return metadata.Contains("\"throughput\"", StringComparison.Ordinal);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, bool poll = true)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or DaprException)
            {
                // Not up yet.
            }
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            // The latency loop spins (poll: false) so the wait adds no delay of its own to the next publish.
            if (poll)
            {
                await Task.Delay(20);
            }
            else
            {
                await Task.Yield();
            }
        }
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string address)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync($"{address},abortConnect=true");
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Component(string name, string type, params string[] metadata) =>
        $"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n  version: v1\n  metadata:\n"
        + string.Concat(metadata.Select(m =>
        {
            var (key, value) = (m.Split(':', 2)[0], m.Split(':', 2)[1].Trim());
            return $"    - name: {key}\n      value: {value}\n";
        }));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ChildProcess Start(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{file}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process);
    }

    private sealed class ChildProcess(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5_000);
            }
            process.Dispose();
        }
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("natter-bench-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
