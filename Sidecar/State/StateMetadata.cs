using System.Globalization;

namespace Natter.Sidecar.State;

public static class StateMetadata
{
    public const string TtlKey = "ttlInSeconds";

    /// <summary>Parses ttlInSeconds: absent, 0 or -1 mean "never expires" (null), as in Dapr; false when malformed.</summary>
    public static bool TryParseTtl(string? value, out int? ttlSeconds)
    {
        ttlSeconds = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl) || ttl < -1)
        {
            return false;
        }
        ttlSeconds = ttl > 0 ? ttl : null;
        return true;
    }
}
