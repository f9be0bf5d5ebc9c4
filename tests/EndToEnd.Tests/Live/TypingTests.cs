using Natter.Client;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Live;

[Collection(NatterAppCollection.Name)]
public sealed class TypingTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Typing_reaches_the_other_members_online_devices_on_both_gateways_and_nobody_else()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory");
        await using var alicePhone = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var aliceLaptop = await _harness.ConnectReadyAsync(alice, NewId("a2"), true, "gateway-b");
        await using var bobPhone = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-a");
        await using var bobLaptop = await _harness.ConnectReadyAsync(bob, NewId("b2"), true, "gateway-b");
        await using var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"), true, "gateway-b");
        var chat = await alicePhone.CreateChatAsync([bob]);
        var withMallory = await alicePhone.CreateChatAsync([mallory]);

        var sent = await alicePhone.TypingAsync(chat.ChatId, TypingStates.Start);

        Assert.True(sent.Forwarded);
        foreach (var device in new[] { bobPhone, bobLaptop })
        {
            var typing = await NextTypingAsync(device);
            Assert.Equal(new TypingFrame(chat.ChatId, alice, TypingStates.Start, 6000), typing);
        }
        // Barriers: a later signal each of them must get, with nothing of the first chat's before it.
        await alicePhone.TypingAsync(withMallory.ChatId, TypingStates.Start);
        Assert.Equal(withMallory.ChatId, (await NextTypingAsync(m)).ChatId);
        await bobPhone.TypingAsync(chat.ChatId, TypingStates.Start);
        var atAlice = await NextTypingAsync(aliceLaptop);
        Assert.Equal(bob, atAlice.UserId); // the typist's own other device never saw its typing
        Assert.False(aliceLaptop.Typing.TryRead(out _));
        Assert.False(m.Typing.TryRead(out _));
    }

    [Fact]
    public async Task A_non_members_typing_is_refused_even_when_the_chats_members_are_cached()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await using var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"));
        var chat = await a.CreateChatAsync([bob]);

        var cold = await Assert.ThrowsAsync<NatterErrorException>(() => m.TypingAsync(chat.ChatId, TypingStates.Start));
        await a.TypingAsync(chat.ChatId, TypingStates.Start); // warms this gateway's member list
        var warm = await Assert.ThrowsAsync<NatterErrorException>(() => m.TypingAsync(chat.ChatId, TypingStates.Start));
        var unknown = await Assert.ThrowsAsync<NatterErrorException>(() => m.TypingAsync(Guid.NewGuid().ToString(), TypingStates.Start));
        var badState = await Assert.ThrowsAsync<NatterErrorException>(() => a.TypingAsync(chat.ChatId, "typing"));

        Assert.Equal(ErrorCodes.NotAMember, cold.Code);
        Assert.Equal(ErrorCodes.NotAMember, warm.Code);
        Assert.Equal(ErrorCodes.NotAMember, unknown.Code);
        Assert.Equal(ErrorCodes.InvalidField, badState.Code);
        Assert.Equal(alice, (await NextTypingAsync(b)).UserId);
        Assert.False(b.Typing.TryRead(out _));
    }

    [Fact]
    public async Task Typing_is_never_stored_so_an_offline_device_gets_nothing_on_reconnect()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("b1");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await (await _harness.ConnectReadyAsync(bob, bobPhone)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);

        Assert.True((await a.TypingAsync(chat.ChatId, TypingStates.Start)).Forwarded);
        var marker = await a.SendMessageAsync(chat.ChatId, "after the typing");

        await using var b = await _harness.ConnectAsync(bob, bobPhone, true, "gateway-b");
        Assert.Equal(marker.MessageId, (await NextMessageAsync(b)).Message!.MessageId);
        Assert.False(b.Typing.TryRead(out _));
    }

    [Fact]
    public async Task Repeated_starts_and_stops_are_dropped_by_the_rate_limit()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        var chat = await a.CreateChatAsync([bob]);
        var barrier = await a.CreateChatAsync([bob]);

        var forwarded = new List<bool>();
        foreach (var state in new[] { TypingStates.Start, TypingStates.Start, TypingStates.Start, TypingStates.Stop, TypingStates.Stop })
        {
            forwarded.Add((await a.TypingAsync(chat.ChatId, state)).Forwarded);
        }

        Assert.Equal([true, false, false, true, false], forwarded);
        var first = await NextTypingAsync(b);
        var second = await NextTypingAsync(b);
        Assert.Equal([TypingStates.Start, TypingStates.Stop], new[] { first.State, second.State }.Order());
        await a.TypingAsync(barrier.ChatId, TypingStates.Start);
        Assert.Equal(barrier.ChatId, (await NextTypingAsync(b)).ChatId);
        Assert.False(b.Typing.TryRead(out _));
    }

    private static async Task<TypingFrame> NextTypingAsync(NatterClient client)
    {
        using var cts = new CancellationTokenSource(WaitTimeout);
        return await client.Typing.ReadAsync(cts.Token);
    }
}
