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
