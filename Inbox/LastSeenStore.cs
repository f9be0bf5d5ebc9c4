using System.Globalization;
using Dapr.Client;
using Natter.Contracts;
using Natter.State;

namespace Natter.Inbox;

/// <summary>
/// last-seen: when one of the user's devices last connected or went away (Unix ms), kept for the retention period.
/// Written on every connect and disconnect, not only the last device's: while another device is online the user is
/// shown as online anyway, and that device's own disconnect writes a later time. A gateway that dies skips the
/// disconnect write, so the user then shows the time they connected.
/// </summary>
public sealed class LastSeenStore(DaprClient dapr)
{
    private static readonly Dictionary<string, string> Ttl =
        new() { ["ttlInSeconds"] = Retention.PeriodSeconds.ToString(CultureInfo.InvariantCulture) };

    private static string Key(string userId) => $"last-seen|{Uri.EscapeDataString(userId)}";

    public Task RecordAsync(string userId, long unixMs, CancellationToken ct) =>
        dapr.SaveStateAsync(StateKeys.StoreName, Key(userId), new LastSeenRecord(unixMs), metadata: Ttl, cancellationToken: ct);

    /// <summary>The recorded time of each user that has one.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var docs = await dapr.ReadManyAsync<LastSeenRecord>([.. userIds.Select(Key)], ct);
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var userId in userIds)
        {
            if (docs[Key(userId)].Value is { } seen)
            {
                found[userId] = seen.At;
            }
        }
        return found;
    }
}

/// <summary>The stored form of a last-seen time.</summary>
internal sealed record LastSeenRecord(long At);
