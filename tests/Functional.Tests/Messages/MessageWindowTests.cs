using System.Net;
using Natter.Client;
using Natter.Contracts;
using Natter.Functional.Tests.Infrastructure;
using static Natter.Functional.Tests.Infrastructure.FunctionalClients;

namespace Natter.Functional.Tests.Messages;

/// <summary>
/// The 15-minute edit and 48-hour delete windows (§10) on the server's clock: the shared <see cref="FunctionalHost.Clock"/>
/// moves, nobody waits. Sockets are closed before the clock jumps hours, so no token outlives its lifetime mid-test.
/// </summary>
[Collection(FunctionalCollection.Name)]
public sealed class MessageWindowTests(FunctionalHost host)
{
    private readonly FunctionalClients _clients = new(host);

    [Fact]
    public async Task The_sender_edits_until_15_minutes_after_the_server_accepted_the_message_and_not_after()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _clients.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _clients.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob]);
        var sent = await a.SendMessageAsync(chat.ChatId, "meet at 5");

        host.Clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        var edited = await a.EditMessageAsync(chat.ChatId, sent.MessageId!, "meet at 6");
        var item = await NextAsync(b, i => i.Type == MessageChangeFrameTypes.MessageEdited);
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        var late = await Assert.ThrowsAsync<NatterErrorException>(() => a.EditMessageAsync(chat.ChatId, sent.MessageId!, "meet at 7"));

        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeMilliseconds() - 2000, edited.EditedAt);
        Assert.Equal(sent.MessageId, item.Edited!.MessageId);
        Assert.Equal("meet at 6", item.Edited.Message);
        Assert.Equal(edited.EditedAt, item.Edited.EditedAt);
        Assert.Equal(MessageChangeErrorCodes.EditWindowClosed, late.Code);
    }

    [Fact]
    public async Task Delete_for_everyone_works_until_48_hours_and_releases_the_attachments()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("b1");
        var content = RandomBytes(3000);
        string chatId, withFile, plain, attachment;
        await using (var a = await _clients.ConnectReadyAsync(alice, NewId("a1")))
        {
            await (await _clients.ConnectReadyAsync(bob, bobPhone)).DisposeAsync();
            attachment = await UploadThroughWebSocketAsync(a, content, "application/octet-stream");
            chatId = (await a.CreateChatAsync([bob])).ChatId;
            withFile = (await a.SendMessageAsync(chatId, "the file", [attachment])).MessageId!;
            plain = (await a.SendMessageAsync(chatId, "no file")).MessageId!;
        }
        using (var asBob = await _clients.MediaClientForAsync(bob))
        {
            Assert.Equal(content, await asBob.GetByteArrayAsync($"/attachments/{attachment}/content"));
        }

        host.Clock.Advance(TimeSpan.FromHours(48) - TimeSpan.FromMinutes(1));
        await using var a2 = await _clients.ConnectReadyAsync(alice, NewId("a2"));
        var deleted = await a2.DeleteMessageAsync(chatId, withFile);
        var again = await a2.DeleteMessageAsync(chatId, withFile);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await Assert.ThrowsAsync<NatterErrorException>(() => a2.DeleteMessageAsync(chatId, plain));

        Assert.Equal(deleted.DeletedAt, again.DeletedAt);
        Assert.Equal(MessageChangeErrorCodes.DeleteWindowClosed, late.Code);
        await using var b = await _clients.ConnectAsync(bob, bobPhone);
        var item = await NextAsync(b, i => i.Type == MessageChangeFrameTypes.MessageDeleted);
        Assert.Equal(withFile, item.Deleted!.MessageId);
        // The reference is gone: bob, who could read it through the message, no longer can; the owner still may.
        using (var asBob = await _clients.MediaClientForAsync(bob))
        {
            using var refused = await asBob.GetAsync($"/attachments/{attachment}/content");
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
        using var asAlice = await _clients.MediaClientForAsync(alice);
        Assert.Equal(content, await asAlice.GetByteArrayAsync($"/attachments/{attachment}/content"));
    }
}
