using System.Globalization;
using System.Text.RegularExpressions;

namespace Natter.Sidecar.Components;

/// <summary>Typed reads of component metadata whose errors name the file and the field, as start-up errors must.</summary>
public static partial class ComponentMetadata
{
    public static string Required(this ComponentSpec spec, string key) =>
        spec.Get(key) is { Length: > 0 } value ? value : throw new ComponentFileException(spec.SourceFile, $"spec.metadata[{key}]", "is required");

    public static bool GetBool(this ComponentSpec spec, string key, bool fallback = false) => spec.Get(key) switch
    {
        null or "" => fallback,
        var v when bool.TryParse(v, out var b) => b,
        var v => throw new ComponentFileException(spec.SourceFile, $"spec.metadata[{key}]", $"'{v}' is not true or false"),
    };

    public static int GetInt(this ComponentSpec spec, string key, int fallback) => spec.Get(key) switch
    {
        null or "" => fallback,
        var v when int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= 0 => i,
        var v => throw new ComponentFileException(spec.SourceFile, $"spec.metadata[{key}]", $"'{v}' is not a non-negative integer"),
    };

    /// <summary>A Go duration ("15s", "1m30s", "500ms") or a plain number of milliseconds, as Dapr metadata accepts.</summary>
    public static TimeSpan GetDuration(this ComponentSpec spec, string key, TimeSpan fallback)
    {
        var value = spec.Get(key);
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        return TryParseGoDuration(value, out var duration)
            ? duration
            : throw new ComponentFileException(spec.SourceFile, $"spec.metadata[{key}]", $"'{value}' is not a duration like 10s or 1m30s");
    }

    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var matches = GoDurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return false;
        }
        foreach (Match m in matches)
        {
            var amount = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                "us" or "µs" => TimeSpan.FromMicroseconds(amount),
                _ => TimeSpan.FromTicks((long)(amount / 100)),
            };
        }
        return true;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex GoDurationPart();
}
