using System.Globalization;

namespace Natter.Benchmarks;

/// <summary>
/// The machine's load average. A run that starts on a busy machine measures the machine, not Natter: benchmarks wait
/// (bounded) for the 1-minute load to settle, record it, and mark a run that started above <see cref="Quiet"/>.
/// </summary>
public static class MachineLoad
{
    public const double Quiet = 1.5;

    public static double OneMinute() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public static string All() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>
    /// Waits (at most atMost) until the machine's busy CPU stays under a quarter of one core for three seconds in a
    /// row: after a step that did not keep up, the system is still working off its backlog (queued actor turns,
    /// acknowledgements, receipts), and that work must not be counted against the next run.
    /// </summary>
    public static async Task<TimeSpan> WaitForIdleCpuAsync(TimeSpan atMost)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var calm = 0;
        var last = Messaging.SystemCpu.BusySeconds();
        while (calm < 3 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < atMost)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = Messaging.SystemCpu.BusySeconds();
            calm = now - last < 0.25 ? calm + 1 : 0;
            last = now;
        }
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    public static async Task<double> WaitForQuietAsync(TimeSpan atMost)
    {
        var until = DateTime.UtcNow + atMost;
        double load;
        while ((load = OneMinute()) > Quiet && DateTime.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        return load;
    }
}
