using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Natter.Benchmarks.Messaging;

/// <summary>What holding many idle, authenticated sockets costs one gateway.</summary>
public sealed record IdleSocketsResult(
    int Requested, int Held, long RssBeforeBytes, long RssAfterBytes, int SourceAddresses, TimeSpan Held_For, string? Shortfall, IdleCpu HeldCpu)
{
    public double KiBPerSocket => Held == 0 ? double.NaN : (RssAfterBytes - RssBeforeBytes) / 1024.0 / Held;
}

/// <summary>
/// Opens count authenticated sockets to one gateway, each a device of its own user, and keeps them idle (each still
/// answers pings and reads what the gateway sends, such as the end of its connect drain) while the gateway's presence
/// leases and upkeep run for holdFor. One loopback source address has about 28,000 ephemeral ports, so sockets are
/// spread over 127.0.0.2, 127.0.0.3, ... Memory per socket is the gateway's RSS growth divided by the sockets held.
/// </summary>
public static class IdleSockets
{
    private const int SocketsPerAddress = 20_000;

    public static async Task<IdleSocketsResult> MeasureAsync(NatterTarget target, string gateway, int count, TimeSpan holdFor)
    {
        var pid = GatewayPid(gateway) ?? throw new InvalidOperationException($"no process found for {gateway}");
        var addresses = (count + SocketsPerAddress - 1) / SocketsPerAddress;
        var invokers = Enumerable.Range(0, addresses).Select(a => Invoker(IPAddress.Parse($"127.0.0.{2 + a}"))).ToList();
        var http = target.Http(gateway == "gateway-a" ? 0 : 1);
        var ws = new UriBuilder(http) { Scheme = "ws", Path = "/ws" }.Uri;
        var run = Guid.NewGuid().ToString("N")[..8];
        var rssBefore = Rss(pid);
        var sockets = new ConcurrentBag<ClientWebSocket>();
        using var stop = new CancellationTokenSource();
        var readers = new ConcurrentBag<Task>();
        string? shortfall = null;
        var failures = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            if (Volatile.Read(ref failures) > 100)
            {
                return;
            }
            var user = $"i{run}u{i}";
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan; // the gateway pings; this side only answers
            try
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + await target.TokenAsync(http, user, user + "-c", CancellationToken.None));
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await socket.ConnectAsync(ws, invokers[i / SocketsPerAddress], timeout.Token);
                sockets.Add(socket);
                readers.Add(ReadUntilClosedAsync(socket, stop.Token));
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or SocketException)
            {
                socket.Dispose();
                if (Interlocked.Increment(ref failures) == 1)
                {
                    shortfall = $"socket {i} failed: {e.Message}";
                }
            }
            if (i % 5000 == 0)
            {
                Console.WriteLine($"  {i} sockets opened, {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            }
        });
        // The leases are renewed every 10 s and the upkeep runs every 10 s per socket: hold long enough for both to run,
        // and measure the CPU the held sockets cost meanwhile.
        var heldCpu = await MessagingBenchmark.IdleCpuAsync(holdFor);
        var held = sockets.Count(s => s.State == WebSocketState.Open);
        var rssAfter = Rss(pid);
        if (rssAfter < 0)
        {
            shortfall = $"the gateway process ended while {held:N0} sockets were held (the AppHost restarts a gateway whose health checks fail)"
                + (shortfall is null ? "" : $"; {shortfall}");
            held = 0;
        }
        await stop.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        await Task.WhenAll(readers);
        foreach (var invoker in invokers)
        {
            invoker.Dispose();
        }
        return new IdleSocketsResult(count, held, rssBefore, rssAfter, addresses, holdFor, shortfall, heldCpu);
    }

    private static async Task ReadUntilClosedAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[512];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>An HTTP stack whose connections leave from one loopback address, so the sockets get its own port range.</summary>
    private static HttpMessageInvoker Invoker(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    /// <summary>The gateway process whose environment names this instance.</summary>
    private static int? GatewayPid(string instance)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                // The gateway itself, not the `dotnet run --project` wrapper the AppHost starts it through (which has the
                // same environment, and whose memory does not move).
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (environ.Split('\0').Contains($"Gateway__InstanceId={instance}")
                    && cmdline.Contains("Natter.ConnectionGateway", StringComparison.Ordinal) && !cmdline.Contains("--project", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    /// <summary>Resident set of the process in bytes; -1 once it has ended.</summary>
    public static long Rss(int pid)
    {
        if (!File.Exists($"/proc/{pid}/status"))
        {
            return -1;
        }
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>The open-file limit: every socket is a descriptor, in this process and in the gateway (which inherits it).</summary>
public static class FileLimits
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetLimit(int resource, ref RLimit limit);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetLimit(int resource, out RLimit limit);

    /// <summary>Raises the limit for this process and its children; as root the hard limit can go up too. Returns the soft limit in force.</summary>
    public static ulong Raise(ulong wanted)
    {
        if (GetLimit(RlimitNofile, out var limit) != 0)
        {
            return 0;
        }
        var raised = new RLimit { Current = wanted, Max = Math.Max(wanted, limit.Max) };
        if (SetLimit(RlimitNofile, ref raised) != 0)
        {
            raised = limit with { Current = limit.Max };
            SetLimit(RlimitNofile, ref raised);
        }
        return Current();
    }

    public static ulong Current() => GetLimit(RlimitNofile, out var limit) == 0 ? limit.Current : 0;
}
