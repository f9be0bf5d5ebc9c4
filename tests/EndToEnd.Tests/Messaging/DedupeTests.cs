using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class DedupeTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task A_clientMessageId_reused_in_another_chat_is_a_new_message_and_is_delivered()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var c = await _harness.ConnectReadyAsync(carol, NewId("c1"));
        var withBob = await a.CreateChatAsync([bob]);
        var withCarol = await a.CreateChatAsync([carol]);

        var first = await a.SendMessageAsync(withBob.ChatId, "to bob", clientMessageId: "same-id");
        var second = await a.SendMessageAsync(withCarol.ChatId, "to carol", clientMessageId: "same-id");
        var resend = await a.SendMessageAsync(withCarol.ChatId, "to carol", clientMessageId: "same-id");

        Assert.Equal(SendStatus.Success, second.Status);
        Assert.NotEqual(first.MessageId, second.MessageId);
        Assert.Equal(second.MessageId, resend.MessageId); // within one chat it still deduplicates
        var received = await NextMessageAsync(c);
        Assert.Equal(second.MessageId, received.Message!.MessageId);
        Assert.Equal(1, (await a.GetChatAsync(withCarol.ChatId)).LastSeq);
    }
}
