using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class DeliveryTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task One_to_one_message_reaches_the_other_user_with_its_server_identity()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));

        var chat = await a.CreateChatAsync([bob], "1:1");
        var sent = await a.SendMessageAsync(chat.ChatId, "hello bob");

        Assert.Equal(SendStatus.Success, sent.Status);
        var received = (await NextMessageAsync(b)).Message!;
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(chat.ChatId, received.ChatId);
        Assert.Equal(alice, received.UserId);
        Assert.Equal("hello bob", received.Message);
        Assert.Equal(1, received.Seq);
        Assert.Equal(sent.Timestamp, received.Timestamp);
    }

    [Fact]
    public async Task Every_member_of_a_100_member_group_receives_the_message()
    {
        var users = Enumerable.Range(0, 100).Select(i => NewId($"g{i}")).ToList();
        var clients = await Task.WhenAll(users.Select((u, i) =>
            _harness.ConnectReadyAsync(u, NewId("c"), true, i % 2 == 0 ? "gateway-a" : "gateway-b")));
        try
        {
            var chat = await clients[0].CreateChatAsync(users.Skip(1), "hundred");
            Assert.Equal(100, chat.Participants.Count);

            var sent = await clients[0].SendMessageAsync(chat.ChatId, "hello everyone");

            Assert.Equal(SendStatus.Success, sent.Status);
            var received = await Task.WhenAll(clients.Skip(1).Select(c => NextMessageAsync(c)));
            Assert.All(received, r => Assert.Equal(sent.MessageId, r.Message!.MessageId));
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Senders_other_device_receives_the_message_and_the_sending_device_does_not()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var phone = await _harness.ConnectReadyAsync(alice, NewId("phone"));
        await using var laptop = await _harness.ConnectReadyAsync(alice, NewId("laptop"), true, "gateway-b");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await phone.CreateChatAsync([bob]);

        var first = await phone.SendMessageAsync(chat.ChatId, "from phone");
        Assert.Equal(first.MessageId, (await NextMessageAsync(laptop)).Message!.MessageId);
        Assert.Equal(first.MessageId, (await NextMessageAsync(b)).Message!.MessageId);

        // Per-chat order is inbox order, so if the phone had a copy of its own message it would come before this one.
        var second = await laptop.SendMessageAsync(chat.ChatId, "from laptop");
        var phoneFirst = await NextMessageAsync(phone);
        Assert.Equal(second.MessageId, phoneFirst.Message!.MessageId);
    }

    [Fact]
    public async Task Offline_device_receives_queued_messages_in_order_on_reconnect()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("b1");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([bob]);
        await (await _harness.ConnectReadyAsync(bob, bobPhone)).DisposeAsync(); // registered, then offline

        var sent = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var result = await a.SendMessageAsync(chat.ChatId, $"m{i}");
            Assert.Equal(SendStatus.Success, result.Status);
            sent.Add(result.MessageId!);
        }
        await using var b = await _harness.ConnectAsync(bob, bobPhone);

        var received = await MessagesAsync(b, 20);
        Assert.Equal(sent, received.Select(r => r.Message!.MessageId));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), received.Select(r => r.Message!.Seq));
    }

    [Fact]
    public async Task Each_device_acknowledges_independently()
    {
        string alice = NewId("alice"), bob = NewId("bob"), phoneId = NewId("phone"), tabletId = NewId("tablet");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var phone = await _harness.ConnectReadyAsync(bob, phoneId, autoAck: false);
        var tablet = await _harness.ConnectReadyAsync(bob, tabletId, autoAck: false, "gateway-b");
        var chat = await a.CreateChatAsync([bob]);

        var sent = await a.SendMessageAsync(chat.ChatId, "ack me");
        var onPhone = await NextMessageAsync(phone);
        var onTablet = await NextMessageAsync(tablet);
        Assert.NotEqual(onPhone.DeliveryId, onTablet.DeliveryId);
        await phone.AcknowledgeAsync(onPhone.DeliveryId);
        // RECEIVED has no reply; the ack is applied once the phone's copy is gone from the store.
        Assert.True(DeliveryIds.TryParse(onPhone.DeliveryId, out _, out var n));
        using (var store = await _harness.InboxStoreAsync())
        {
            await WaitUntilAsync(async () => !(await store.PendingAsync(bob, phoneId)).Contains(n), "the phone's ack is applied");
        }
        await phone.DisposeAsync();
        await tablet.DisposeAsync();
        var marker = await a.SendMessageAsync(chat.ChatId, "marker");

        await using var phoneAgain = await _harness.ConnectAsync(bob, phoneId);
        await using var tabletAgain = await _harness.ConnectAsync(bob, tabletId);

        // The tablet never acked: it gets the message again. The phone acked: its next message is the marker.
        Assert.Equal(sent.MessageId, (await NextMessageAsync(tabletAgain)).Message!.MessageId);
        Assert.Equal(marker.MessageId, (await NextMessageAsync(tabletAgain)).Message!.MessageId);
        Assert.Equal(marker.MessageId, (await NextMessageAsync(phoneAgain)).Message!.MessageId);
    }

    [Fact]
    public async Task Users_on_different_gateways_talk_both_ways()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        var chat = await a.CreateChatAsync([bob]);

        var ping = await a.SendMessageAsync(chat.ChatId, "ping");
        Assert.Equal(ping.MessageId, (await NextMessageAsync(b)).Message!.MessageId);
        var pong = await b.SendMessageAsync(chat.ChatId, "pong");
        Assert.Equal(pong.MessageId, (await NextMessageAsync(a)).Message!.MessageId);
        Assert.Equal(2, pong.Seq);
    }

    [Fact]
    public async Task Resend_with_the_same_client_message_id_returns_the_same_message_and_delivers_once()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob]);

        var first = await a.SendMessageAsync(chat.ChatId, "once", clientMessageId: "cm-1");
        var again = await a.SendMessageAsync(chat.ChatId, "once", clientMessageId: "cm-1");
        var next = await a.SendMessageAsync(chat.ChatId, "twice", clientMessageId: "cm-2");

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(first.Seq + 1, next.Seq);
        var received = await MessagesAsync(b, 2);
        Assert.Equal([first.MessageId, next.MessageId], received.Select(r => r.Message!.MessageId));
        Assert.Equal(0, b.DuplicateMessages);
    }

    [Fact]
    public async Task Twenty_chats_writing_to_one_device_at_once_lose_nothing()
    {
        // Every chat appends to the same device inbox concurrently: the hottest key a user can have.
        var bob = NewId("bob");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var senders = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _harness.ConnectReadyAsync(NewId($"s{i}"), NewId("c"), true, i % 2 == 0 ? "gateway-a" : "gateway-b")));
        try
        {
            var chats = await Task.WhenAll(senders.Select(s => s.CreateChatAsync([bob])));
            var sent = await Task.WhenAll(senders.Select(async (s, i) =>
            {
                var ids = new List<string>();
                for (var m = 0; m < 5; m++)
                {
                    var result = await s.SendMessageAsync(chats[i].ChatId, $"{i}/{m}");
                    Assert.Equal(SendStatus.Success, result.Status);
                    ids.Add(result.MessageId!);
                }
                return ids;
            }));

            var received = await MessagesAsync(b, 100, TimeSpan.FromSeconds(60));
            Assert.Equal(sent.SelectMany(ids => ids).Order(), received.Select(r => r.Message!.MessageId).Order());
            // Per chat, in seq order.
            Assert.All(received.GroupBy(r => r.Message!.ChatId), chat =>
                Assert.Equal(chat.Select(r => r.Message!.Seq).Order(), chat.Select(r => r.Message!.Seq)));
        }
        finally
        {
            foreach (var s in senders)
            {
                await s.DisposeAsync();
            }
        }
    }
}
