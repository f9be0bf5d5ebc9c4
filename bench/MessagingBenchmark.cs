using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Natter.Client;
using Natter.Contracts;

namespace Natter.Benchmarks;

/// <summary>
/// End-to-end messaging figures through the real system: it starts the AppHost (both gateways, both chat services,
/// their local sidecars, redis-server, Azurite) the way the end-to-end tests do, then drives it with NatterClient.
///   dotnet run -c Release --project bench -- messaging [--pairs 100] [--rate 5000] [--seconds 15] [--fanout-rounds 30] [--drain 10000] [--trace-ratio 0.01]
/// 1. 1:1 at a fixed offered rate, then at half of it: messages/s received and send→receive latency p50/p99.
/// 2. 100-member fan-out: latency from send to each of the 99 receivers, p50/p99.
/// 3. Drain: time for a reconnecting client to receive N pending messages.
/// Latency is measured on this process's monotonic clock (sender and receivers share it).
/// </summary>
public static class MessagingBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var pairs = Option(args, "--pairs", 100);
        var rate = Option(args, "--rate", 5000);
        var seconds = Option(args, "--seconds", 15);
        var fanoutRounds = Option(args, "--fanout-rounds", 30);
        var drainCount = Option(args, "--drain", 10_000);

        Console.WriteLine("Starting the AppHost ...");
        var runDirectory = Path.Combine(Path.GetTempPath(), $"natter-bench-{Guid.NewGuid():N}");
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Natter:RunDirectory={runDirectory}", "--Dapr:Runtime=local"], startTimeout.Token);
        // The services' own logs still go to the dashboard; echoing every resource's output here would cost CPU
        // the system under test needs.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("AppHost.Resources", LogLevel.None));
        // Aspire's development default traces every request (always_on). --trace-ratio samples as production would.
        var traceRatio = OptionText(args, "--trace-ratio");
        if (traceRatio is not null)
        {
            foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().ToList())
            {
                builder.CreateResourceBuilder(resource)
                    .WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
                    .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", traceRatio);
            }
        }
        await using var app = await builder.BuildAsync(startTimeout.Token);
        await app.StartAsync(startTimeout.Token);
        foreach (var resource in new[] { "chatservice-a", "chatservice-b", "gateway-a", "gateway-b" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startTimeout.Token);
        }
        var system = new SystemUnderTest(app);

        var full = await OneToOneAsync(system, pairs, rate, TimeSpan.FromSeconds(seconds));
        var half = await OneToOneAsync(system, pairs, rate / 2, TimeSpan.FromSeconds(seconds));
        var fanout = await FanOutAsync(system, fanoutRounds);
        var drain = await DrainAsync(system, drainCount);

        var report = Report(args, pairs, seconds, [full, half], fanout, drain);
        Console.WriteLine(report);
        WriteSection(report);
        try
        {
            Directory.Delete(runDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private sealed record Throughput(int Rate, int Sent, int Received, int Failed, double Seconds, LongHistogram Latency);

    private sealed record Drain(int Count, double Seconds);

    private static async Task<Throughput> OneToOneAsync(SystemUnderTest system, int pairs, int rate, TimeSpan duration)
    {
        Console.WriteLine($"1:1: {pairs} pairs, offered {rate} msg/s for {duration.TotalSeconds} s ...");
        var latency = Histogram();
        var senders = new List<(NatterClient Client, string ChatId)>();
        var receivers = new List<NatterClient>();
        for (var i = 0; i < pairs; i++)
        {
            var (a, b) = ($"bench-a{i}-{Guid.NewGuid():N}", $"bench-b{i}-{Guid.NewGuid():N}");
            var sender = await system.ConnectAsync(a, a + "-c", i % 2 == 0 ? "gateway-a" : "gateway-b");
            var receiver = await system.ConnectAsync(b, b + "-c", i % 2 == 0 ? "gateway-b" : "gateway-a");
            var chat = await sender.CreateChatAsync([b]);
            senders.Add((sender, chat.ChatId));
            receivers.Add(receiver);
        }
        var received = 0;
        using var stop = new CancellationTokenSource();
        var readers = receivers.Select(r => ReadLatenciesAsync(r, latency, () => Interlocked.Increment(ref received), stop.Token)).ToList();

        // Open loop: each pair sends at rate/pairs, so a slow answer does not lower the offered load.
        int sent = 0, failed = 0;
        var interval = TimeSpan.FromSeconds(pairs / (double)rate);
        var started = Stopwatch.GetTimestamp();
        var sending = senders.Select(async s =>
        {
            using var timer = new PeriodicTimer(interval);
            var inflight = new List<Task>();
            while (Stopwatch.GetElapsedTime(started) < duration && await timer.WaitForNextTickAsync())
            {
                inflight.Add(SendOneAsync(s.Client, s.ChatId));
            }
            await Task.WhenAll(inflight);
        });
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
            catch (Exception e) when (e is NatterDisconnectedException or TimeoutException or OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }
        await Task.WhenAll(sending);
        var deadline = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref received) < sent - failed && Stopwatch.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var c in senders.Select(s => s.Client).Concat(receivers))
        {
            await c.DisposeAsync();
        }
        return new Throughput(rate, sent, received, failed, elapsed, latency);
    }

    private static async Task<LongHistogram> FanOutAsync(SystemUnderTest system, int rounds)
    {
        Console.WriteLine($"Fan-out: 100-member chat, {rounds} messages ...");
        var latency = Histogram();
        var users = Enumerable.Range(0, 100).Select(i => $"bench-g{i}-{Guid.NewGuid():N}").ToList();
        var clients = new List<NatterClient>();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            clients.Add(await system.ConnectAsync(user, user + "-c", i % 2 == 0 ? "gateway-a" : "gateway-b"));
        }
        var chat = await clients[0].CreateChatAsync(users.Skip(1));
        var received = 0;
        using var stop = new CancellationTokenSource();
        var readers = clients.Skip(1).Select(c => ReadLatenciesAsync(c, latency, () => Interlocked.Increment(ref received), stop.Token)).ToList();
        for (var round = 1; round <= rounds; round++)
        {
            await clients[0].SendMessageAsync(chat.ChatId, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
            var waitStart = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref received) < round * 99 && Stopwatch.GetElapsedTime(waitStart) < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(5);
            }
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
        return latency;
    }

    private static async Task<Drain> DrainAsync(SystemUnderTest system, int count)
    {
        Console.WriteLine($"Drain: {count} pending messages ...");
        var receiver = $"bench-drain-{Guid.NewGuid():N}";
        await (await system.ConnectAsync(receiver, receiver + "-c", "gateway-a")).DisposeAsync();
        // Twenty senders in twenty chats fill the inbox in parallel (one chat's actor takes one message at a time).
        const int senders = 20;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async s =>
        {
            var user = $"bench-filler{s}-{Guid.NewGuid():N}";
            await using var client = await system.ConnectAsync(user, user + "-c", s % 2 == 0 ? "gateway-a" : "gateway-b");
            var chat = await CreateWithRetryAsync(client, receiver);
            for (var i = s; i < count; i += senders)
            {
                await RetryAsync(() => client.SendMessageAsync(chat.ChatId, $"pending {i}", clientMessageId: $"p{i}"));
            }
        }));
        var started = Stopwatch.GetTimestamp();
        await using var drained = await system.ConnectAsync(receiver, receiver + "-c", "gateway-b");
        var got = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (got < count)
        {
            var item = await drained.Items.ReadAsync(timeout.Token);
            if (item.Type == FrameTypes.NewMessage)
            {
                got++;
            }
        }
        return new Drain(count, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Twenty chats created for one user at once contend on that user's inbox and chat index; retry as a client would.</summary>
    private static async Task<CreateChatResult> CreateWithRetryAsync(NatterClient client, string member)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.CreateChatAsync([member]);
            }
            catch (NatterErrorException e) when (e.Code is ErrorCodes.Unavailable or ErrorCodes.RateLimited && attempt < 10)
            {
                Console.WriteLine($"createChat: {e.Code}, retrying");
                await Task.Delay(100 * attempt);
            }
        }
    }

    /// <summary>Requests beyond the per-connection rate limit are refused; wait and resend with the same id.</summary>
    private static async Task RetryAsync(Func<Task<SendMessageResult>> send)
    {
        while (true)
        {
            try
            {
                var result = await send();
                if (result.Status == SendStatus.Success)
                {
                    return;
                }
            }
            catch (NatterErrorException e) when (e.Code == ErrorCodes.RateLimited)
            {
            }
            await Task.Delay(20);
        }
    }

    private static async Task ReadLatenciesAsync(NatterClient client, LongHistogram latency, Action counted, CancellationToken ct)
    {
        try
        {
            await foreach (var item in client.Items.ReadAllAsync(ct))
            {
                if (item.Message is { } m && long.TryParse(m.Message, CultureInfo.InvariantCulture, out var sentAt))
                {
                    var micros = (long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds;
                    lock (latency)
                    {
                        latency.RecordValue(Math.Max(1, micros));
                    }
                    counted();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static LongHistogram Histogram() => new(600_000_000, 3); // microseconds, up to 10 minutes

    private static double Ms(LongHistogram h, double percentile) => h.TotalCount == 0 ? double.NaN : h.GetValueAtPercentile(percentile) / 1000.0;

    private static string Report(string[] args, int pairs, int seconds, Throughput[] oneToOne, LongHistogram fanout, Drain drain)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!-- messaging:start -->");
        sb.AppendLine("## Messaging: end-to-end through gateways, chat services, sidecars and Redis");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average at the end: {LoadAverage()}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run -c Release --project bench -- messaging {string.Join(' ', args)}`");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Tracing: {(OptionText(args, "--trace-ratio") is { } ratio ? $"parent-based ratio sampler at {ratio}" : "every request (Aspire's development default, always_on)")}; traces and metrics are exported over OTLP.");
        sb.AppendLine("- Setup: the AppHost started in-process (Aspire.Hosting.Testing): 2 gateways, 2 chat services, 1 media service, their local sidecars, redis-server; benchmark clients on the same machine.");
        sb.AppendLine();
        sb.AppendLine("| Scenario | Result | Aim |");
        sb.AppendLine("|---|---|---|");
        foreach (var run in oneToOne)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| 1:1, {pairs} pairs, offered {run.Rate} msg/s for {seconds} s | {run.Received / run.Seconds:F0} msg/s received ({run.Sent} sent, {run.Failed} failed); p50 {Ms(run.Latency, 50):F1} ms, p99 {Ms(run.Latency, 99):F1} ms | ≥ 5,000 msg/s; p99 < 50 ms at 2,500 msg/s |");
        }
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| 100-member fan-out ({fanout.TotalCount} deliveries) | p50 {Ms(fanout, 50):F1} ms, p99 {Ms(fanout, 99):F1} ms | p99 < 100 ms |");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| Drain of {drain.Count} pending messages on reconnect | {drain.Seconds:F2} s ({drain.Count / drain.Seconds:F0} msg/s) | < 2 s |");
        sb.AppendLine("<!-- messaging:end -->");
        return sb.ToString();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Replaces the messaging section of BENCHMARKS.md (repository root), keeping the other benchmarks' sections.</summary>
    private static void WriteSection(string section)
    {
        var path = Path.Combine(FindRepoRoot(), "BENCHMARKS.md");
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var start = text.IndexOf("<!-- messaging:start -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- messaging:end -->", StringComparison.Ordinal);
        text = start >= 0 && end > start
            ? text[..start] + section.TrimEnd() + text[(end + "<!-- messaging:end -->".Length)..]
            : text.TrimEnd() + "\n\n" + section;
        File.WriteAllText(path, text);
        Console.WriteLine($"Wrote {path}");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aspire.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The started system: gateway URLs and development tokens.</summary>
    private sealed class SystemUnderTest(DistributedApplication app)
    {
        private readonly HttpClient _http = new();

        public async Task<NatterClient> ConnectAsync(string userId, string clientId, string gateway)
        {
            var http = app.GetEndpoint(gateway, "http");
            var ws = new UriBuilder(http) { Scheme = "ws", Path = "/ws" }.Uri;
            return await NatterClient.ConnectAsync(new NatterClientOptions
            {
                Endpoints = [ws],
                TokenProvider = async ct =>
                {
                    var response = await _http.PostAsJsonAsync(new Uri(http, "/dev/token"), new { userId, clientId }, ct);
                    response.EnsureSuccessStatusCode();
                    return (await response.Content.ReadFromJsonAsync<TokenAnswer>(ct))!.Token;
                },
            });
        }

        private sealed record TokenAnswer(string Token);
    }
}
