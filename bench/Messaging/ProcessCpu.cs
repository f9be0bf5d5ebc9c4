using System.Globalization;

namespace Natter.Benchmarks.Messaging;

/// <summary>
/// CPU time per process kind, read from /proc: utime + stime of every process (all its threads), grouped by what its
/// command line says it is. Two snapshots around a run give each kind's CPU for that run.
/// </summary>
public sealed class ProcessCpu
{
    /// <summary>The kinds reported, in report order. "load generator" is this process: clients, and the in-process AppHost.</summary>
    public static readonly string[] Kinds =
        ["gateway", "gateway sidecar", "chat service", "chat service sidecar", "redis", "relay", "load generator", "other"];

    private static readonly double TicksPerSecond = 100; // USER_HZ, fixed at 100 on Linux for /proc

    private readonly Dictionary<string, double> _seconds;

    private ProcessCpu(Dictionary<string, double> seconds) => _seconds = seconds;

    /// <summary>
    /// Every process this one started, directly or not (the AppHost's DCP and what it runs, the relay), plus this one.
    /// Anything else on the machine (another build, another test run) is not part of the measurement.
    /// </summary>
    public static ProcessCpu Snapshot()
    {
        var processes = Read();
        var seconds = Kinds.ToDictionary(k => k, _ => 0.0);
        foreach (var (pid, (_, ticks)) in processes)
        {
            if (!IsOurs(pid, processes))
            {
                continue;
            }
            try
            {
                var kind = pid == Environment.ProcessId ? "load generator" : Classify(File.ReadAllText($"/proc/{pid}/cmdline"));
                seconds[kind] += ticks / TicksPerSecond;
            }
            catch (IOException)
            {
            }
        }
        return new ProcessCpu(seconds);
    }

    /// <summary>Every process on the machine: parent and CPU ticks.</summary>
    private static Dictionary<int, (int Parent, long Ticks)> Read()
    {
        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the parenthesised command name, from field 3 (state): ppid is field 4, utime and stime
                // are fields 14 and 15 (1-based).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while it was read.
            }
        }
        return processes;
    }

    /// <summary>Our processes one by one: command line (shortened) and CPU seconds so far.</summary>
    public static Dictionary<int, (string Name, double Seconds)> PerProcess()
    {
        var processes = Read();
        var result = new Dictionary<int, (string, double)>();
        foreach (var (pid, (_, ticks)) in processes)
        {
            if (IsOurs(pid, processes))
            {
                try
                {
                    var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
                    result[pid] = (cmdline.Length > 140 ? cmdline[..140] : cmdline, ticks / TicksPerSecond);
                }
                catch (IOException)
                {
                }
            }
        }
        return result;
    }

    /// <summary>
    /// This process and its descendants, and the descendants of the AppHost's DCP: DCP's API server detaches (its
    /// parent is init) but names the process it serves with --monitor, so its tree counts as ours.
    /// </summary>
    private static bool IsOurs(int pid, Dictionary<int, (int Parent, long Ticks)> processes)
    {
        for (var (current, hops) = (pid, 0); hops < 64; hops++)
        {
            if (current == Environment.ProcessId || IsOurDcp(current))
            {
                return true;
            }
            if (!processes.TryGetValue(current, out var p) || p.Parent <= 1)
            {
                return false;
            }
            current = p.Parent;
        }
        return false;
    }

    private static bool IsOurDcp(int pid)
    {
        try
        {
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var monitor = Array.IndexOf(args, "--monitor");
            return monitor >= 0 && monitor + 1 < args.Length && args[monitor + 1] == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>What one of our processes is, from its NUL-separated command line.</summary>
    internal static string Classify(string cmdline)
    {
        var args = cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var text = string.Join(' ', args);
        if (text.Contains("relay-server", StringComparison.Ordinal))
        {
            return "relay";
        }
        if (text.Contains("redis-server", StringComparison.Ordinal))
        {
            return "redis";
        }
        var appId = Array.IndexOf(args, "--app-id") is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (appId is not null)
        {
            return appId.StartsWith("gateway", StringComparison.Ordinal) ? "gateway sidecar"
                : appId.StartsWith("chatservice", StringComparison.Ordinal) ? "chat service sidecar"
                : "other";
        }
        if (text.Contains("ConnectionGateway", StringComparison.Ordinal))
        {
            return "gateway";
        }
        if (text.Contains("ChatService", StringComparison.Ordinal))
        {
            return "chat service";
        }
        return "other";
    }

    /// <summary>CPU seconds each kind used between the two snapshots.</summary>
    public static IReadOnlyDictionary<string, double> Between(ProcessCpu before, ProcessCpu after) =>
        Kinds.ToDictionary(k => k, k => Math.Max(0, after._seconds[k] - before._seconds[k]));
}

/// <summary>The whole machine's busy CPU from /proc/stat, in seconds of one core.</summary>
public static class SystemCpu
{
    public static double BusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
        var values = fields.Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = values[0] + values[1] + values[2] + values[5] + values[6] + (values.Length > 7 ? values[7] : 0);
        return busy / 100.0;
    }
}
