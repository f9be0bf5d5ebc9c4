using Natter.Client;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Live;

[Collection(NatterAppCollection.Name)]
public sealed class PresenceTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Chat_partners_see_each_other_online_and_then_last_seen()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        await a.CreateChatAsync([bob]);

        Assert.Equal([new PresenceInfo(bob, true, null)], (await a.GetPresenceAsync([bob])).Presence);
        Assert.Equal([new PresenceInfo(alice, true, null)], (await b.GetPresenceAsync([alice])).Presence);

        var beforeLeaving = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await b.DisposeAsync();
        PresenceInfo? seen = null;
        await WaitUntilAsync(async () =>
        {
            seen = (await a.GetPresenceAsync([bob])).Presence.SingleOrDefault();
            // Until the disconnect is recorded, the time of bob's connect shows.
            return seen is { Online: false } && seen.LastSeen >= beforeLeaving;
        }, "bob shows as offline, last seen when he left");
        Assert.InRange(seen!.LastSeen!.Value, beforeLeaving, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_stranger_sees_nothing_of_anyone()
    {
        string alice = NewId("alice"), bob = NewId("bob"), stranger = NewId("stranger");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await using var s = await _harness.ConnectReadyAsync(stranger, NewId("s1"));
        await a.CreateChatAsync([bob]);
        await s.CreateChatAsync([NewId("someone")]); // has chats, just none with alice or bob

        Assert.Empty((await s.GetPresenceAsync([alice, bob, NewId("nobody")])).Presence);
        Assert.Equal([bob], (await a.GetPresenceAsync([bob, stranger])).Presence.Select(p => p.UserId));
    }

    [Fact]
    public async Task Hiding_presence_hides_it_both_ways_until_shown_again()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        await a.CreateChatAsync([bob]);

        var hidden = await b.UpdateSettingsAsync(showPresence: false);

        Assert.Equal(new UpdateSettingsResult(hidden.RequestId, ReadReceipts: true, ShowPresence: false), hidden);
        Assert.Empty((await a.GetPresenceAsync([bob])).Presence);
        Assert.Empty((await b.GetPresenceAsync([alice])).Presence);

        Assert.True((await b.UpdateSettingsAsync(showPresence: true)).ShowPresence);
        Assert.Equal([new PresenceInfo(bob, true, null)], (await a.GetPresenceAsync([bob])).Presence);
        Assert.Equal([new PresenceInfo(alice, true, null)], (await b.GetPresenceAsync([alice])).Presence);
    }

    [Fact]
    public async Task A_presence_query_names_between_1_and_100_valid_user_ids()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));

        var none = await Assert.ThrowsAsync<NatterErrorException>(() => a.GetPresenceAsync([]));
        var tooMany = await Assert.ThrowsAsync<NatterErrorException>(() => a.GetPresenceAsync(Enumerable.Range(0, 101).Select(i => $"u{i}")));
        var malformed = await Assert.ThrowsAsync<NatterErrorException>(() => a.GetPresenceAsync(["a|b"]));

        Assert.All(new[] { none, tooMany, malformed }, e => Assert.Equal(ErrorCodes.InvalidField, e.Code));
    }
}
