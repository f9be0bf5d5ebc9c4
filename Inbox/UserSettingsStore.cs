using Dapr.Client;
using Natter.State;

namespace Natter.Inbox;

/// <summary>A user's privacy settings. Absent means the defaults: everything shared.</summary>
public sealed record UserSettings(bool ReadReceipts = true, bool ShowPresence = true)
{
    public static readonly UserSettings Default = new();
}

/// <summary>
/// user-settings||{userId}: the one owner of a user's settings. Written by the gateway (updateSettings), read by the
/// chat actor when it decides who sees a read receipt. Etag-guarded, so two devices changing different settings at
/// once both win.
/// </summary>
public sealed class UserSettingsStore(DaprClient dapr)
{
    public async Task<UserSettings> GetAsync(string userId, CancellationToken ct) =>
        (await dapr.ReadAsync<UserSettings>(Key(userId), ct)).Value ?? UserSettings.Default;

    /// <summary>The settings of many users in one bulk read; users without a document get the defaults.</summary>
    public async Task<IReadOnlyDictionary<string, UserSettings>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var distinct = userIds.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<string, UserSettings>(StringComparer.Ordinal);
        }
        var docs = await dapr.ReadManyAsync<UserSettings>([.. distinct.Select(Key)], ct);
        return distinct.ToDictionary(u => u, u => docs[Key(u)].Value ?? UserSettings.Default, StringComparer.Ordinal);
    }

    public async Task<UserSettings> UpdateAsync(string userId, Func<UserSettings, UserSettings> change, CancellationToken ct) =>
        await dapr.UpdateAsync<UserSettings>(Key(userId), current => StateChange<UserSettings>.Save(change(current ?? UserSettings.Default)), ct)
        ?? UserSettings.Default;

    // User ids reach here checked by the gateway (CommandBinder.IsId), safe in a key unescaped.
    private static string Key(string userId) => $"user-settings||{userId}";
}
