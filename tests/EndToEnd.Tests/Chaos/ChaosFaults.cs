using System.Diagnostics;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Natter.Chaos;

/// <summary>One fault: what it does to which resources, and how long it lasts before recovery is awaited.</summary>
public sealed record ChaosFault(string Name, FaultKind Kind, IReadOnlyList<string> Resources)
{
    public static ChaosFault KillService(string service) => new($"kill -9 {service} + sidecar", FaultKind.Kill, [service, $"{service}-dapr"]);

    public static ChaosFault KillSidecar(string service) => new($"kill -9 {service}-dapr", FaultKind.Kill, [$"{service}-dapr"]);

    public static ChaosFault Pause(string service) => new($"SIGSTOP {service} 8 s", FaultKind.Pause, [service]);

    public static readonly ChaosFault KillRedis = new("kill -9 redis-server", FaultKind.KillRedis, ["redis"]);

    /// <summary>The issue's five faults, touching different instances so each cycle spreads over the system.</summary>
    public static IReadOnlyList<ChaosFault> Cycle(int round) =>
    [
        KillService(round % 2 == 0 ? "gateway-a" : "gateway-b"),
        KillService(round % 2 == 0 ? "chatservice-b" : "chatservice-a"),
        KillSidecar(round % 2 == 0 ? "gateway-b" : "chatservice-b"),
        Pause(round % 2 == 0 ? "chatservice-a" : "chatservice-b"),
        KillRedis,
    ];
}

public enum FaultKind { Kill, Pause, KillRedis }

/// <summary>
/// Injects faults into the running AppHost's real processes, found by the PIDs Aspire reports, and waits (bounded)
/// until the restarted processes are healthy again.
/// </summary>
public sealed class ChaosFaults(DistributedApplication app, ChaosHistory history, TimeSpan recoveryTimeout)
{
    private static readonly TimeSpan PauseLength = TimeSpan.FromSeconds(8); // the issue's SIGSTOP length

    private int _killedRedis;

    /// <summary>Injects the fault, waits until the system has recovered (or the timeout), and records the window.</summary>
    public async Task InjectAsync(ChaosFault fault, TimeSpan calmAfter, CancellationToken ct)
    {
        var start = history.NowMs;
        var before = fault.Resources.ToDictionary(r => r, Pid);
        string detail;
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                foreach (var pid in before.Values)
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true); // SIGKILL: a crash, nothing gets to clean up
                }
                detail = $"killed {string.Join(", ", before.Select(b => $"{b.Key} (pid {b.Value})"))}";
                break;
            case FaultKind.Pause:
                var tree = ProcessTree.WithDescendants(before.Values.Single());
                await SignalAsync("STOP", tree);
                try
                {
                    await Task.Delay(PauseLength, ct);
                }
                finally
                {
                    await SignalAsync("CONT", tree);
                }
                detail = $"stopped pids {string.Join(' ', tree)} for {PauseLength.TotalSeconds} s";
                break;
            case FaultKind.KillRedis:
                // The supervisor loop (the resource's own process) stays; only redis-server itself dies.
                var redis = _killedRedis = RedisServerPid();
                using (var process = Process.GetProcessById(redis))
                {
                    process.Kill();
                }
                detail = $"killed redis-server pid {redis}";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault));
        }
        var recovered = await RecoveredAsync(fault, before, ct);
        var end = history.NowMs;
        if (!recovered.Ok)
        {
            detail += "; " + recovered.Why;
        }
        // The window ends at recovery: the calm period after it counts as normal operation.
        history.Record(new FaultWindow(fault.Name, start, end, recovered.Ok, detail));
        await Task.Delay(calmAfter, ct);
    }

    private async Task<(bool Ok, string Why)> RecoveredAsync(ChaosFault fault, Dictionary<string, int> before, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(recoveryTimeout);
        var waiting = "";
        try
        {
            while (true)
            {
                waiting = fault.Kind switch
                {
                    FaultKind.KillRedis => await RedisAnswersAsync(before["redis"]) ? "" : "redis-server was not restarted or does not answer PING",
                    FaultKind.Kill => string.Join(", ", before.Where(b => !RestartedAndHealthy(b.Key, b.Value)).Select(b => $"{b.Key} not restarted and healthy ({State(b.Key)})")),
                    _ => string.Join(", ", before.Keys.Where(r => !Healthy(r)).Select(r => $"{r} not healthy ({State(r)})")),
                };
                if (waiting.Length == 0)
                {
                    return (true, "");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"not recovered within {recoveryTimeout.TotalSeconds} s: {waiting}");
        }
    }

    private bool RestartedAndHealthy(string resource, int oldPid) =>
        TryPid(resource) is { } pid && pid != oldPid && Healthy(resource);

    private bool Healthy(string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var e)
        && e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy;

    private string State(string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var e) ? $"{e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}" : "unknown";

    private int Pid(string resource) =>
        TryPid(resource) ?? throw new InvalidOperationException($"{resource} has no process id ({State(resource)})");

    private int? TryPid(string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var e)
        && int.TryParse(e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString(), out var pid)
            ? pid : null;

    /// <summary>redis-server under the resource's supervisor loop (or the resource itself, when it runs unsupervised).</summary>
    private int RedisServerPid() =>
        ProcessTree.WithDescendants(Pid("redis")).FirstOrDefault(p => ProcessTree.Name(p) == "redis-server") is var pid and > 0
            ? pid : throw new InvalidOperationException("no redis-server process under the redis resource");

    /// <summary>A new redis-server (another PID) answers PING: it has replayed its AOF and serves again.</summary>
    private async Task<bool> RedisAnswersAsync(int resourcePid)
    {
        var live = ProcessTree.WithDescendants(resourcePid).Where(p => ProcessTree.Name(p) == "redis-server");
        if (!live.Any(p => p != _killedRedis))
        {
            return false;
        }
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", app.GetEndpoint("redis", "tcp").Port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cts.Token);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task SignalAsync(string signal, IReadOnlyList<int> pids)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]))!;
        await kill.WaitForExitAsync();
    }
}

/// <summary>Process trees read from /proc (Linux): a `dotnet run` resource's real app is a child of the PID Aspire reports.</summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> WithDescendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }
        var result = new List<int> { root };
        for (var i = 0; i < result.Count; i++)
        {
            result.AddRange(parents.Where(p => p.Value == result[i]).Select(p => p.Key));
        }
        return result;
    }

    public static string Name(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
