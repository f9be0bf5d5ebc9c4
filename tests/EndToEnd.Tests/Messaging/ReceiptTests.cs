using System.Text.Json;
using Natter.Client;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>Delivery and read receipts, message info and the read-receipt privacy setting (PROTOCOL.md §9).</summary>
[Collection(NatterAppCollection.Name)]
public sealed class ReceiptTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task One_to_one_ticks_go_delivered_when_the_first_device_acks_and_read_after_markRead()
    {
        string alice = NewId("alice"), bob = NewId("bob"), tabletId = NewId("b2");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var phone = await _harness.ConnectReadyAsync(bob, NewId("b1"), autoAck: false);
        await (await _harness.ConnectReadyAsync(bob, tabletId)).DisposeAsync(); // registered, offline
        var chat = await a.CreateChatAsync([bob]);
        var sent = await a.SendMessageAsync(chat.ChatId, "hello");
        var atPhone = await NextMessageAsync(phone);

        // Received by the socket but not acknowledged: not delivered yet, and the sender holds no receipt.
        while (a.Items.TryRead(out var early))
        {
            Assert.NotEqual(ReceiptFrameTypes.Receipt, early.Type);
        }
        var before = Assert.Single((await a.GetMessageInfoAsync(chat.ChatId, sent.MessageId!)).Members);
        Assert.Equal((bob, (long?)null, (long?)null), (before.UserId, before.DeliveredAt, before.ReadAt));

        await phone.AcknowledgeAsync(atPhone.DeliveryId);
        var delivered = (await NextReceiptAsync(a)).Receipt!;
        Assert.Equal((chat.ChatId, bob, ReceiptStatus.Delivered, 1L), (delivered.ChatId, delivered.UserId, delivered.Status, delivered.UpToSeq));
        var info = await a.GetMessageInfoAsync(chat.ChatId, sent.MessageId!);
        Assert.Equal(sent.MessageId, info.MessageId);
        Assert.NotNull(Assert.Single(info.Members).DeliveredAt);
        Assert.Null(info.Members[0].ReadAt);

        Assert.Equal(1, (await phone.MarkReadAsync(chat.ChatId, 1)).ReadUpToSeq);
        var read = (await NextReceiptAsync(a)).Receipt!;
        Assert.Equal((bob, ReceiptStatus.Read, 1L), (read.UserId, read.Status, read.UpToSeq));
        Assert.NotNull(Assert.Single((await a.GetMessageInfoAsync(chat.ChatId, sent.MessageId!)).Members).ReadAt);

        // bob's second device acks the same message later: the first device's ack already counted, nobody hears again.
        await using (var tablet = await _harness.ConnectReadyAsync(bob, tabletId))
        {
            await NextMessageAsync(tablet);
            using var store = await _harness.InboxStoreAsync();
            // The report precedes the delete, so an empty inbox means the tablet's report has been made.
            await WaitUntilAsync(async () => (await store.PendingAsync(bob, tabletId)).Count == 0, "the tablet acked");
        }
        var second = await a.SendMessageAsync(chat.ChatId, "again");
        await phone.AcknowledgeAsync((await NextMessageAsync(phone)).DeliveryId);
        var next = (await NextReceiptAsync(a)).Receipt!;
        Assert.Equal((ReceiptStatus.Delivered, second.Seq!.Value), (next.Status, next.UpToSeq));
    }

    [Fact]
    public async Task Group_receipts_name_the_member_and_message_info_shows_each_member()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        await using var c = await _harness.ConnectReadyAsync(carol, NewId("c1"));
        var chat = await a.CreateChatAsync([bob, carol], "group");
        var sent = await a.SendMessageAsync(chat.ChatId, "hello group");
        await NextMessageAsync(b);
        await NextMessageAsync(c);

        var delivered = new[] { (await NextReceiptAsync(a)).Receipt!, (await NextReceiptAsync(a)).Receipt! };
        Assert.Equal([bob, carol], delivered.Select(r => r.UserId).Order(StringComparer.Ordinal));
        Assert.All(delivered, r => Assert.Equal((ReceiptStatus.Delivered, 1L), (r.Status, r.UpToSeq)));

        await c.MarkReadAsync(chat.ChatId, sent.Seq!.Value);
        var read = (await NextReceiptAsync(a)).Receipt!;
        Assert.Equal((carol, ReceiptStatus.Read), (read.UserId, read.Status));

        var info = await a.GetMessageInfoAsync(chat.ChatId, sent.MessageId!);
        var byMember = info.Members.ToDictionary(m => m.UserId);
        Assert.Equal([bob, carol], byMember.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(byMember[bob].DeliveredAt);
        Assert.Null(byMember[bob].ReadAt);
        Assert.NotNull(byMember[carol].DeliveredAt);
        Assert.NotNull(byMember[carol].ReadAt);
        Assert.True(byMember[carol].ReadAt >= byMember[carol].DeliveredAt);
    }

    [Fact]
    public async Task Members_acking_together_each_move_their_mark_and_every_sender_device_hears_of_each_once()
    {
        // Five members on one gateway ack at about the same time, so their reports share acknowledgement flushes: one
        // actor turn and one multi-entry append to the sender's two devices per flush.
        string alice = NewId("alice");
        var members = Enumerable.Range(0, 5).Select(i => NewId($"m{i}")).ToList();
        await using var phone = await _harness.ConnectReadyAsync(alice, NewId("phone"));
        await using var laptop = await _harness.ConnectReadyAsync(alice, NewId("laptop"), true, "gateway-b");
        var sockets = new List<NatterClient>();
        try
        {
            foreach (var member in members)
            {
                sockets.Add(await _harness.ConnectReadyAsync(member, NewId("d")));
            }
            var chat = await phone.CreateChatAsync(members, "acked together");
            var sent = await phone.SendMessageAsync(chat.ChatId, "hello all");
            await Task.WhenAll(sockets.Select(s => NextMessageAsync(s)));

            foreach (var device in new[] { phone, laptop })
            {
                var heard = new List<ReceiptPayload>();
                for (var i = 0; i < members.Count; i++)
                {
                    heard.Add((await NextReceiptAsync(device)).Receipt!);
                }
                Assert.Equal(members.Order(StringComparer.Ordinal), heard.Select(r => r.UserId).Order(StringComparer.Ordinal));
                Assert.All(heard, r => Assert.Equal((chat.ChatId, ReceiptStatus.Delivered, sent.Seq!.Value), (r.ChatId, r.Status, r.UpToSeq)));
            }
            var info = await phone.GetMessageInfoAsync(chat.ChatId, sent.MessageId!);
            Assert.Equal(members.Order(StringComparer.Ordinal), info.Members.Select(m => m.UserId).Order(StringComparer.Ordinal));
            Assert.All(info.Members, m => Assert.NotNull(m.DeliveredAt));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_read_receipts_off_a_user_sends_no_read_and_sees_none_but_delivered_still_flows()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var off = await b.UpdateSettingsAsync(readReceipts: false);
        Assert.Equal((false, true), (off.ReadReceipts, off.ShowPresence));
        var chat = await a.CreateChatAsync([bob]);

        // bob reads alice's message: alice hears delivered, never read.
        var toBob = await a.SendMessageAsync(chat.ChatId, "read me");
        await NextMessageAsync(b);
        await b.MarkReadAsync(chat.ChatId, toBob.Seq!.Value);
        // The receipts are committed before markRead answers, and bob's marker comes after them in alice's inbox.
        var marker = await b.SendMessageAsync(chat.ChatId, "marker from bob");
        var atAlice = await ItemsUntilMessageAsync(a, marker.MessageId!);
        Assert.Equal([ReceiptStatus.Delivered], atAlice.Select(i => i.Receipt!.Status));
        Assert.Null(Assert.Single((await a.GetMessageInfoAsync(chat.ChatId, toBob.MessageId!)).Members).ReadAt);

        // alice reads bob's message: bob, who turned reads off, sees none either.
        await a.MarkReadAsync(chat.ChatId, marker.Seq!.Value);
        var aliceMarker = await a.SendMessageAsync(chat.ChatId, "marker from alice");
        var atBob = await ItemsUntilMessageAsync(b, aliceMarker.MessageId!);
        Assert.Equal([(ReceiptStatus.Delivered, marker.Seq.Value)], atBob.Select(i => (i.Receipt!.Status, i.Receipt.UpToSeq)));
        var info = Assert.Single((await b.GetMessageInfoAsync(chat.ChatId, marker.MessageId!)).Members);
        Assert.NotNull(info.DeliveredAt);
        Assert.Null(info.ReadAt);

        // Turned on again, bob's next read reaches alice.
        Assert.True((await b.UpdateSettingsAsync(readReceipts: true)).ReadReceipts);
        await b.MarkReadAsync(chat.ChatId, aliceMarker.Seq!.Value);
        // bob's ack of the marker may report delivered first; the read follows it.
        var read = (await NextAsync(a, i => i.Receipt?.Status == ReceiptStatus.Read)).Receipt!;
        Assert.Equal((bob, ReceiptStatus.Read, aliceMarker.Seq.Value), (read.UserId, read.Status, read.UpToSeq));
    }

    [Fact]
    public async Task Many_messages_acknowledged_together_make_one_receipt_item()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("b1");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await (await _harness.ConnectReadyAsync(bob, bobPhone)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);
        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, $"m{i}")).Status);
        }
        await using var b = await _harness.ConnectAsync(bob, bobPhone, autoAck: false);
        var received = new List<ReceivedItem>();
        using (var cts = new CancellationTokenSource(WaitTimeout))
        {
            while (received.Count < count)
            {
                var item = await b.Items.ReadAsync(cts.Token);
                if (item.Type == FrameTypes.NewMessage)
                {
                    received.Add(item);
                }
                else
                {
                    await b.AcknowledgeAsync(item.DeliveryId); // the chat's creation
                }
            }
        }

        // Newest first: whichever batches the gateway forms, the first report names seq 20 and the rest move nothing.
        foreach (var item in Enumerable.Reverse(received))
        {
            await b.AcknowledgeAsync(item.DeliveryId);
        }
        using (var store = await _harness.InboxStoreAsync())
        {
            await WaitUntilAsync(async () => (await store.PendingAsync(bob, bobPhone)).Count == 0, "bob's acks are applied");
        }
        var marker = await b.SendMessageAsync(chat.ChatId, "marker");

        var receipts = await ItemsUntilMessageAsync(a, marker.MessageId!);
        var receipt = Assert.Single(receipts).Receipt!;
        Assert.Equal((bob, ReceiptStatus.Delivered, (long)count), (receipt.UserId, receipt.Status, receipt.UpToSeq));
    }

    [Fact]
    public async Task Receipts_commands_refuse_non_members_others_messages_unknown_seqs_and_bad_input()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        await using var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"));
        var chat = await a.CreateChatAsync([bob]);
        var sent = await a.SendMessageAsync(chat.ChatId, "private");

        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() => m.MarkReadAsync(chat.ChatId, 1))).Code);
        Assert.Equal(ErrorCodes.NotAMember, (await Assert.ThrowsAsync<NatterErrorException>(() => m.GetMessageInfoAsync(chat.ChatId, sent.MessageId!))).Code);
        Assert.Equal(ErrorCodes.NotAllowed, (await Assert.ThrowsAsync<NatterErrorException>(() => b.GetMessageInfoAsync(chat.ChatId, sent.MessageId!))).Code);
        Assert.Equal(ErrorCodes.SeqOutOfRange, (await Assert.ThrowsAsync<NatterErrorException>(() => b.MarkReadAsync(chat.ChatId, 2))).Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, (await Assert.ThrowsAsync<NatterErrorException>(() => a.GetMessageInfoAsync(chat.ChatId, Guid.CreateVersion7().ToString()))).Code);
        Assert.Equal(ErrorCodes.UnknownChat, (await Assert.ThrowsAsync<NatterErrorException>(() => b.MarkReadAsync(Guid.NewGuid().ToString(), 1))).Code);

        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(ReceiptFrameTypes.MarkRead, w => w.WriteString("chatId", chat.ChatId))));
        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(ReceiptFrameTypes.MarkRead, w =>
        {
            w.WriteString("chatId", chat.ChatId);
            w.WriteNumber("seq", 0);
        })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(ReceiptFrameTypes.MarkRead, w =>
        {
            w.WriteString("chatId", chat.ChatId);
            w.WriteString("seq", "1");
        })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(ReceiptFrameTypes.GetMessageInfo, w =>
        {
            w.WriteString("chatId", "not-a-chat");
            w.WriteString("messageId", Guid.CreateVersion7().ToString());
        })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(FrameTypes.UpdateSettings, _ => { })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await b.RequestRawAsync(FrameTypes.UpdateSettings, w => w.WriteString("readReceipts", "no"))));

        // Nothing above changed bob's marks: the sender still sees the message undelivered-by-read.
        Assert.Null(Assert.Single((await a.GetMessageInfoAsync(chat.ChatId, sent.MessageId!)).Members).ReadAt);
        Assert.Equal(1, (await b.MarkReadAsync(chat.ChatId, 1)).ReadUpToSeq);
    }

    private static async Task<ReceivedItem> NextReceiptAsync(NatterClient client) =>
        await NextAsync(client, i => i.Type == ReceiptFrameTypes.Receipt);

    /// <summary>The receipt items that arrive before the given message (inbox order), and that message is consumed.</summary>
    public static async Task<List<ReceivedItem>> ItemsUntilMessageAsync(NatterClient client, string messageId)
    {
        var receipts = new List<ReceivedItem>();
        using var cts = new CancellationTokenSource(WaitTimeout);
        while (true)
        {
            var item = await client.Items.ReadAsync(cts.Token);
            if (item.Message?.MessageId == messageId)
            {
                return receipts;
            }
            if (item.Type == ReceiptFrameTypes.Receipt)
            {
                receipts.Add(item);
            }
        }
    }

    private static string? Code(JsonElement answer) =>
        answer.GetProperty("type").GetString() == FrameTypes.Error ? answer.GetProperty("code").GetString() : null;
}
