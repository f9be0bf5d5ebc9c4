using System.Globalization;
using System.Text.RegularExpressions;

namespace Natter.Sidecar.Actors.Scheduling;

/// <summary>
/// The time formats daprd accepts for dueTime, period and ttl: Go durations ("0h0m5s0ms", "1.5s", "300ms"),
/// ISO 8601 durations ("PT5S", "P1DT2H") with an optional repetition prefix for periods ("R5/PT1S"),
/// and RFC 3339 instants for dueTime and ttl.
/// </summary>
public static partial class DaprDuration
{
    [GeneratedRegex(@"^([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex GoUnit();

    [GeneratedRegex(@"^P(?:(?<y>\d+)Y)?(?:(?<mo>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+)H)?(?:(?<mi>\d+)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();

    [GeneratedRegex(@"^R(?<n>\d+)/(?<rest>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Repetition();

    /// <summary>Parses a Go or ISO 8601 duration.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        return text[0] == 'P' ? TryParseIso(text, out duration) : TryParseGo(text, out duration);
    }

    /// <summary>
    /// A period: a duration, optionally prefixed by "Rn/" to limit the number of fires (as daprd; null: unlimited).
    /// </summary>
    public static bool TryParsePeriod(string text, out TimeSpan interval, out int? repetitions)
    {
        repetitions = null;
        interval = TimeSpan.Zero;
        var match = Repetition().Match(text);
        if (match.Success)
        {
            repetitions = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            return TryParseDuration(match.Groups["rest"].Value, out interval);
        }
        return TryParseDuration(text, out interval);
    }

    /// <summary>A dueTime or ttl: an RFC 3339 instant, or a duration counted from <paramref name="from"/>.</summary>
    public static bool TryParseInstant(string text, DateTimeOffset from, out DateTimeOffset instant)
    {
        instant = from;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (TryParseDuration(text, out var duration))
        {
            instant = from + duration;
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }

    private static bool TryParseGo(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = text.AsSpan();
        var negative = false;
        if (rest.Length > 0 && (rest[0] == '-' || rest[0] == '+'))
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }
        if (rest is "0")
        {
            return true;
        }
        var ticks = 0.0;
        while (rest.Length > 0)
        {
            var match = GoUnit().Match(rest.ToString());
            if (!match.Success)
            {
                return false;
            }
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += match.Groups[2].Value switch
            {
                "ns" => value / 100,
                "us" or "µs" or "μs" => value * TimeSpan.TicksPerMicrosecond,
                "ms" => value * TimeSpan.TicksPerMillisecond,
                "s" => value * TimeSpan.TicksPerSecond,
                "m" => value * TimeSpan.TicksPerMinute,
                _ => value * TimeSpan.TicksPerHour,
            };
            rest = rest[match.Length..];
        }
        duration = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    private static bool TryParseIso(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Iso8601().Match(text);
        if (!match.Success || text is "P" or "PT")
        {
            return false;
        }
        int Int(string group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        // Years and months have no fixed length; daprd counts them as 365 and 30 days.
        var days = (Int("y") * 365) + (Int("mo") * 30) + (Int("w") * 7) + Int("d");
        var seconds = match.Groups["s"].Success ? double.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : 0;
        duration = TimeSpan.FromDays(days) + TimeSpan.FromHours(Int("h")) + TimeSpan.FromMinutes(Int("mi")) + TimeSpan.FromSeconds(seconds);
        return true;
    }
}
