namespace Natter.Inbox.Tests;

/// <summary>The owners of the presence setting and last seen (docs/PROTOCOL.md §12), on real Redis behind the sidecar.</summary>
[Collection(InboxStoreCollection.Name)]
public sealed class PresenceStoresTests(InboxStoreFixture store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Settings_default_to_shown_and_concurrent_changes_of_different_settings_both_stick()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var settings = new UserSettingsStore(store.Dapr);
        var user = InboxStoreFixture.NewDevice().UserId;

        Assert.Equal(new UserSettings(ReadReceipts: true, ShowPresence: true), await settings.GetAsync(user, cts.Token));
        await Task.WhenAll(
            settings.UpdateAsync(user, s => s with { ShowPresence = false }, cts.Token),
            settings.UpdateAsync(user, s => s with { ReadReceipts = false }, cts.Token));

        Assert.Equal(new UserSettings(ReadReceipts: false, ShowPresence: false), await settings.GetAsync(user, cts.Token));
        var many = await settings.GetManyAsync([user, "never-changed-anything"], cts.Token);
        Assert.Equal(new UserSettings(false, false), many[user]);
        Assert.Equal(UserSettings.Default, many["never-changed-anything"]);
    }

    [Fact]
    public async Task Last_seen_keeps_the_latest_recording_per_user_and_knows_nothing_of_others()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var lastSeen = new LastSeenStore(store.Dapr);
        string seen = InboxStoreFixture.NewDevice().UserId, unseen = InboxStoreFixture.NewDevice().UserId;

        await lastSeen.RecordAsync(seen, 1_000, cts.Token);
        await lastSeen.RecordAsync(seen, 2_000, cts.Token);

        var found = await lastSeen.ReadManyAsync([seen, unseen], cts.Token);
        Assert.Equal(2_000, Assert.Single(found, f => f.Key == seen).Value);
        Assert.False(found.ContainsKey(unseen));
    }
}
