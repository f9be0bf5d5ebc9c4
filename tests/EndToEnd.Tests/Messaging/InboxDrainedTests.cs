using Natter.Client;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>The caught-up marker after the connect drain (PROTOCOL.md §9).</summary>
[Collection(NatterAppCollection.Name)]
public sealed class InboxDrainedTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task InboxDrained_comes_once_per_connection_after_the_pending_items_and_a_receipt_waits_for_its_offline_sender()
    {
        string alice = NewId("alice"), bob = NewId("bob"), aliceId = NewId("a1"), bobId = NewId("b1");
        await (await _harness.ConnectReadyAsync(bob, bobId)).DisposeAsync();
        var sent = new List<string>();
        CreateChatResult chat;
        await using (var a = await _harness.ConnectReadyAsync(alice, aliceId))
        {
            chat = await a.CreateChatAsync([bob]);
            for (var i = 0; i < 3; i++)
            {
                sent.Add((await a.SendMessageAsync(chat.ChatId, $"while you were away {i}")).MessageId!);
            }
        }

        // bob comes back: the three messages (and the chat's creation) are in his items before the marker.
        await using var b = await _harness.ConnectAsync(bob, bobId);
        using var timeout = new CancellationTokenSource(WaitTimeout);
        await b.WaitInboxDrainedAsync(timeout.Token);
        var drained = new List<ReceivedItem>();
        while (b.Items.TryRead(out var item))
        {
            drained.Add(item);
        }
        Assert.Equal(sent, drained.Where(i => i.Type == FrameTypes.NewMessage).Select(i => i.Message!.MessageId));
        Assert.Equal(1, b.InboxDrainedCount);

        // alice is offline while bob acks: the delivered receipt waits in her inbox and comes in her drain.
        using (var store = await _harness.InboxStoreAsync())
        {
            // Reports precede deletes: once bob's inbox is empty, every report of his acks has been made.
            await WaitUntilAsync(async () => (await store.PendingAsync(bob, bobId)).Count == 0, "bob's acks are applied");
        }
        await using var back = await _harness.ConnectAsync(alice, aliceId);
        await back.WaitInboxDrainedAsync(timeout.Token);
        var waiting = new List<ReceiptPayload>();
        while (back.Items.TryRead(out var item))
        {
            if (item.Receipt is { } receipt)
            {
                waiting.Add(receipt);
            }
        }
        // Acks may reach the gateway in more than one batch, each a receipt; the last covers all three.
        Assert.NotEmpty(waiting);
        Assert.All(waiting, r => Assert.Equal((bob, ReceiptStatus.Delivered), (r.UserId, r.Status)));
        Assert.Equal(3, waiting[^1].UpToSeq);

        // What arrives after the marker is live, and the marker does not come again on this connection.
        var live = await back.SendMessageAsync(chat.ChatId, "now live");
        Assert.Equal(live.MessageId, (await NextMessageAsync(b)).Message!.MessageId);
        await back.ListChatsAsync();
        Assert.Equal(1, b.InboxDrainedCount);

        // A new connection drains again and gets its own marker.
        b.AbortConnection();
        await WaitUntilAsync(() => Task.FromResult(b.InboxDrainedCount == 2), "the reconnected socket's marker");
    }
}
