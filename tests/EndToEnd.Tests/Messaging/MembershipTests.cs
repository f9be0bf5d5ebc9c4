using Natter.Client;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class MembershipTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task The_101st_member_is_refused()
    {
        var creator = NewId("creator");
        await using var c = await _harness.ConnectReadyAsync(creator, NewId("c1"));
        var hundredOthers = Enumerable.Range(0, 100).Select(i => NewId($"m{i}")).ToList();

        var tooBig = await Assert.ThrowsAsync<NatterErrorException>(() => c.CreateChatAsync(hundredOthers));
        Assert.Equal(ErrorCodes.TooManyParticipants, tooBig.Code);

        var full = await c.CreateChatAsync(hundredOthers.Take(99).Append(hundredOthers[0]));
        Assert.Equal(100, full.Participants.Count);
        var addOne = await Assert.ThrowsAsync<NatterErrorException>(() =>
            c.ModifyChatParticipantsAsync(full.ChatId, hundredOthers[99], ParticipantOperations.Add));
        Assert.Equal(ErrorCodes.TooManyParticipants, addOne.Code);
    }

    [Fact]
    public async Task Non_member_cannot_send_read_or_modify_and_only_the_creator_removes_others()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await using var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"));
        var chat = await a.CreateChatAsync([bob]);

        var send = await m.SendMessageAsync(chat.ChatId, "let me in");
        Assert.Equal(SendStatus.Failure, send.Status);
        Assert.Equal(ErrorCodes.NotAMember, send.Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() => m.GetChatAsync(chat.ChatId))).Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            m.ModifyChatParticipantsAsync(chat.ChatId, mallory, ParticipantOperations.Add))).Code);
        Assert.Equal(ErrorCodes.NotAllowed, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b.ModifyChatParticipantsAsync(chat.ChatId, alice, ParticipantOperations.Remove))).Code);
        Assert.Equal(ErrorCodes.UnknownChat, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            a.GetChatAsync(Guid.NewGuid().ToString()))).Code);

        var info = await a.GetChatAsync(chat.ChatId);
        Assert.Equal([alice, bob], info.Participants);
        Assert.DoesNotContain(mallory, info.Participants);
    }

    [Fact]
    public async Task Chat_updates_reach_offline_members_old_new_and_removed()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol");
        string bobPhone = NewId("b1"), carolPhone = NewId("c1");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await (await _harness.ConnectReadyAsync(bob, bobPhone)).DisposeAsync();
        await (await _harness.ConnectReadyAsync(carol, carolPhone)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);

        await a.ModifyChatParticipantsAsync(chat.ChatId, carol, ParticipantOperations.Add);
        var afterRemove = await a.ModifyChatParticipantsAsync(chat.ChatId, bob, ParticipantOperations.Remove);
        Assert.Equal([alice, carol], afterRemove.Participants);

        await using var b = await _harness.ConnectAsync(bob, bobPhone);
        await using var c = await _harness.ConnectAsync(carol, carolPhone);
        var bobUpdates = await UpdatesAsync(b, chat.ChatId, 3);   // created, carol added, bob removed
        Assert.Equal([alice, bob], bobUpdates[0]);
        Assert.Equal([alice, bob, carol], bobUpdates[1]);
        Assert.Equal([alice, carol], bobUpdates[2]);
        var carolUpdates = await UpdatesAsync(c, chat.ChatId, 2);  // added, bob removed
        Assert.Equal([alice, carol], carolUpdates[1]);

        var carolsChats = await c.ListChatsAsync();
        Assert.Contains(carolsChats.Chats, s => s.ChatId == chat.ChatId);
        var bobsChats = await b.ListChatsAsync();
        Assert.DoesNotContain(bobsChats.Chats, s => s.ChatId == chat.ChatId);
    }

    [Fact]
    public async Task A_member_may_leave_and_then_no_longer_receives_messages()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob]);

        var left = await b.ModifyChatParticipantsAsync(chat.ChatId, bob, ParticipantOperations.Remove);
        Assert.Equal([alice], left.Participants);
        await a.SendMessageAsync(chat.ChatId, "you left");
        var other = await a.CreateChatAsync([bob]);
        var marker = await a.SendMessageAsync(other.ChatId, "marker");

        Assert.Equal(marker.MessageId, (await NextMessageAsync(b)).Message!.MessageId);
    }

    private static async Task<List<IReadOnlyList<string>>> UpdatesAsync(NatterClient client, string chatId, int count)
    {
        var updates = new List<IReadOnlyList<string>>();
        while (updates.Count < count)
        {
            var item = await NextAsync(client, i => i.Type == FrameTypes.ChatUpdate && i.ChatUpdate!.ChatId == chatId);
            updates.Add(item.ChatUpdate!.Participants);
        }
        return updates;
    }
}
