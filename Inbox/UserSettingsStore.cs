using Dapr.Client;
using Natter.State;

namespace Natter.Inbox;

/// <summary>A user's privacy settings. Defaults (nothing stored) are WhatsApp's: both shown.</summary>
public sealed record UserSettings(bool ReadReceipts = true, bool ShowPresence = true)
{
    public static readonly UserSettings Default = new();
}

/// <summary>user-settings: one document per user, read by whoever must honour a setting, written only by updateSettings.</summary>
public sealed class UserSettingsStore(DaprClient dapr)
{
    private static string Key(string userId) => $"user-settings||{Uri.EscapeDataString(userId)}";

    public async Task<UserSettings> GetAsync(string userId, CancellationToken ct) =>
        (await dapr.ReadAsync<UserSettings>(Key(userId), ct)).Value ?? UserSettings.Default;

    /// <summary>Every given user's settings in one bulk read (defaults for those who never changed them).</summary>
    public async Task<IReadOnlyDictionary<string, UserSettings>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var docs = await dapr.ReadManyAsync<UserSettings>([.. userIds.Select(Key)], ct);
        return userIds.Distinct(StringComparer.Ordinal)
            .ToDictionary(u => u, u => docs[Key(u)].Value ?? UserSettings.Default, StringComparer.Ordinal);
    }

    /// <summary>An etag-guarded read-modify-write, so two devices changing different settings at once both win.</summary>
    public async Task<UserSettings> UpdateAsync(string userId, Func<UserSettings, UserSettings> change, CancellationToken ct) =>
        await dapr.UpdateAsync<UserSettings>(Key(userId), current =>
        {
            var before = current ?? UserSettings.Default;
            var after = change(before);
            return after == before && current is not null ? StateChange<UserSettings>.Keep : StateChange<UserSettings>.Save(after);
        }, ct) ?? UserSettings.Default;
}
