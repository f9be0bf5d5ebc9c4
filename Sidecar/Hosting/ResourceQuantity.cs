using System.Globalization;

namespace Natter.Sidecar.Hosting;

/// <summary>
/// The Kubernetes resource quantities daprd reads --max-body-size as: a number with an optional suffix, binary
/// (Ki, Mi, Gi) or decimal (k, M, G). "4Mi" is 4,194,304 bytes and "1k" 1,000.
/// </summary>
public static class ResourceQuantity
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000),
    ];

    /// <summary>The quantity in bytes, or null when it is not one.</summary>
    public static long? ParseBytes(string text)
    {
        var factor = 1L;
        var number = text;
        foreach (var (suffix, value) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = value;
                number = text[..^suffix.Length];
                break;
            }
        }
        return decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount >= 0
            ? (long)Math.Ceiling(amount * factor)
            : null;
    }
}
