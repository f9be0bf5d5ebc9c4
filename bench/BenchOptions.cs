using System.Globalization;

namespace Natter.Benchmarks;

/// <summary>Reads `--name value` pairs from a benchmark's arguments.</summary>
public static class BenchOptions
{
    public static string? Text(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static int Int(string[] args, string name, int fallback) =>
        Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
