using Natter.Client;
using Natter.Contracts;
using Natter.Inbox;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>
/// Edits, deletions for everyone, replies and reactions (§10) through the shared AppHost: every member device gets the
/// durable item, offline ones after they reconnect, and every refusal has its code. The 15-minute and 48-hour windows
/// need a moving clock: they are tested in Functional.Tests (MessageWindowTests).
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class MessageChangeTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task An_edit_reaches_every_member_device_including_the_senders_other_one_and_an_offline_one_on_reconnect()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobTablet = NewId("b2");
        await using var a1 = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var a2 = await _harness.ConnectReadyAsync(alice, NewId("a2"), gateways: "gateway-b");
        await using var b1 = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await (await _harness.ConnectReadyAsync(bob, bobTablet)).DisposeAsync();
        var chat = await a1.CreateChatAsync([bob]);
        var sent = await a1.SendMessageAsync(chat.ChatId, "see you at 5");

        var edited = await a1.EditMessageAsync(chat.ChatId, sent.MessageId!, "see you at 6");

        foreach (var device in new[] { a2, b1 })
        {
            var item = await NextAsync(device, i => i.Type == MessageChangeFrameTypes.MessageEdited);
            Assert.Equal(new MessageEditedPayload(chat.ChatId, sent.MessageId!, sent.Seq!.Value, alice, "see you at 6", edited.EditedAt), item.Edited);
        }
        await using var b2 = await _harness.ConnectAsync(bob, bobTablet);
        var message = await NextMessageAsync(b2);
        var late = await NextAsync(b2, i => i.Type == MessageChangeFrameTypes.MessageEdited);
        Assert.Equal(sent.MessageId, message.Message!.MessageId);
        Assert.Equal("see you at 6", late.Edited!.Message);
    }

    [Fact]
    public async Task A_delete_reaches_every_device_and_a_repeat_adds_nothing_and_the_message_is_then_closed_to_changes()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobTablet = NewId("b2");
        await using var a1 = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var a2 = await _harness.ConnectReadyAsync(alice, NewId("a2"));
        await using var b1 = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await (await _harness.ConnectReadyAsync(bob, bobTablet)).DisposeAsync();
        var chat = await a1.CreateChatAsync([bob]);
        var sent = await a1.SendMessageAsync(chat.ChatId, "oops, wrong chat");

        var deleted = await a1.DeleteMessageAsync(chat.ChatId, sent.MessageId!);
        var again = await a1.DeleteMessageAsync(chat.ChatId, sent.MessageId!);

        Assert.Equal(deleted.DeletedAt, again.DeletedAt);
        foreach (var device in new[] { a2, b1 })
        {
            var item = await NextAsync(device, i => i.Type == MessageChangeFrameTypes.MessageDeleted);
            Assert.Equal(new MessageDeletedPayload(chat.ChatId, sent.MessageId!, sent.Seq!.Value, alice, deleted.DeletedAt), item.Deleted);
        }
        // The offline tablet holds exactly one deletion, not two: the repeat stored nothing.
        using (var store = await _harness.InboxStoreAsync())
        {
            var pending = await store.Inbox.PendingAsync(new DeviceAddress(bob, bobTablet), CancellationToken.None);
            Assert.Single(pending, p => p.Entry.Kind == MessageChangeFrameTypes.MessageDeleted);
        }
        await using var b2 = await _harness.ConnectAsync(bob, bobTablet);
        Assert.Equal(sent.MessageId, (await NextAsync(b2, i => i.Type == MessageChangeFrameTypes.MessageDeleted)).Deleted!.MessageId);

        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            a1.EditMessageAsync(chat.ChatId, sent.MessageId!, "x"))).Code);
        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b1.ReactAsync(chat.ChatId, sent.MessageId!, "👍"))).Code);
        var reply = await b1.SendMessageAsync(chat.ChatId, "what was it?", replyTo: sent.MessageId);
        Assert.Equal(SendStatus.Failure, reply.Status);
        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, reply.Code);
    }

    [Fact]
    public async Task Only_the_sender_edits_or_deletes_and_a_non_member_changes_nothing()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await using var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"));
        var chat = await a.CreateChatAsync([bob]);
        var sent = await a.SendMessageAsync(chat.ChatId, "mine");

        Assert.Equal(ErrorCodes.NotAllowed, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b.EditMessageAsync(chat.ChatId, sent.MessageId!, "now mine"))).Code);
        Assert.Equal(ErrorCodes.NotAllowed, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b.DeleteMessageAsync(chat.ChatId, sent.MessageId!))).Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            m.EditMessageAsync(chat.ChatId, sent.MessageId!, "pwned"))).Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            m.DeleteMessageAsync(chat.ChatId, sent.MessageId!))).Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            m.ReactAsync(chat.ChatId, sent.MessageId!, "👍"))).Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            a.EditMessageAsync(chat.ChatId, Guid.CreateVersion7().ToString(), "x"))).Code);

        // None of it reached bob: the next item he gets is the one sent after the refusals.
        await a.SendMessageAsync(chat.ChatId, "after the refusals");
        var next = await NextAsync(b, i => i.Type != FrameTypes.ChatUpdate && i.Message?.MessageId != sent.MessageId);
        Assert.Equal("after the refusals", next.Message?.Message);
    }

    [Fact]
    public async Task A_reply_carries_the_quoted_sender_and_text_and_must_quote_a_message_of_the_same_chat()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob]);
        var other = await a.CreateChatAsync([bob]);
        var question = await a.SendMessageAsync(chat.ChatId, "lunch tomorrow?");
        var elsewhere = await a.SendMessageAsync(other.ChatId, "in another chat");

        var reply = await b.SendMessageAsync(chat.ChatId, "yes!", replyTo: question.MessageId);
        var crossChat = await b.SendMessageAsync(chat.ChatId, "hm", replyTo: elsewhere.MessageId);
        var unknown = await b.SendMessageAsync(chat.ChatId, "hm", replyTo: Guid.CreateVersion7().ToString());
        var malformed = await Assert.ThrowsAsync<NatterErrorException>(() => b.SendMessageAsync(chat.ChatId, "hm", replyTo: "not-an-id"));

        Assert.Equal(SendStatus.Success, reply.Status);
        var received = await NextAsync(a, i => i.Message?.MessageId == reply.MessageId);
        Assert.Equal(new ReplyQuote(question.MessageId!, alice, "lunch tomorrow?"), received.Message!.ReplyTo);
        Assert.Equal((SendStatus.Failure, MessageChangeErrorCodes.UnknownMessage), (crossChat.Status, crossChat.Code));
        Assert.Equal((SendStatus.Failure, MessageChangeErrorCodes.UnknownMessage), (unknown.Status, unknown.Code));
        Assert.Equal(ErrorCodes.InvalidField, malformed.Code);
    }

    [Fact]
    public async Task A_reaction_is_replaced_and_removed_a_repeat_stores_nothing_and_only_one_emoji_on_a_visible_message_is_accepted()
    {
        string alice = NewId("alice"), bob = NewId("bob"), aliceTablet = NewId("a2");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await (await _harness.ConnectReadyAsync(alice, aliceTablet)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);
        var other = await a.CreateChatAsync([bob]);
        var sent = await a.SendMessageAsync(chat.ChatId, "we won!");
        var elsewhere = await a.SendMessageAsync(other.ChatId, "elsewhere");

        await b.ReactAsync(chat.ChatId, sent.MessageId!, "👍");
        await b.ReactAsync(chat.ChatId, sent.MessageId!, "👍"); // repeat: no new item
        await b.ReactAsync(chat.ChatId, sent.MessageId!, "❤️");
        var removed = await b.ReactAsync(chat.ChatId, sent.MessageId!, null);
        await b.ReactAsync(chat.ChatId, sent.MessageId!, null); // removing none: no new item

        Assert.Null(removed.Emoji);
        var seen = new List<string?>();
        while (seen.Count < 3)
        {
            var item = await NextAsync(a, i => i.Type == MessageChangeFrameTypes.Reaction);
            Assert.Equal((chat.ChatId, sent.MessageId, bob), (item.Reaction!.ChatId, item.Reaction.MessageId, item.Reaction.UserId));
            seen.Add(item.Reaction.Emoji);
        }
        Assert.Equal(["👍", "❤️", null], seen);
        using (var store = await _harness.InboxStoreAsync())
        {
            var pending = await store.Inbox.PendingAsync(new DeviceAddress(alice, aliceTablet), CancellationToken.None);
            Assert.Equal(["👍", "❤️", null],
                pending.Where(p => p.Entry.Kind == MessageChangeFrameTypes.Reaction).Select(p => p.Entry.Reaction!.Emoji));
        }

        foreach (var notOneEmoji in new[] { "ok", "👍👍", "a", "" })
        {
            Assert.Equal(MessageChangeErrorCodes.InvalidEmoji, (await Assert.ThrowsAsync<NatterErrorException>(() =>
                b.ReactAsync(chat.ChatId, sent.MessageId!, notOneEmoji))).Code);
        }
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b.ReactAsync(chat.ChatId, elsewhere.MessageId!, "👍"))).Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, (await Assert.ThrowsAsync<NatterErrorException>(() =>
            b.ReactAsync(chat.ChatId, Guid.CreateVersion7().ToString(), "👍"))).Code);
    }
}
