using System.Text.Json;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>A device is (user, client): nobody reads, steals or silences another user's device by naming its client_id.</summary>
[Collection(NatterAppCollection.Name)]
public sealed class DeviceIdentityTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task A_client_id_reused_by_another_user_is_refused_and_reads_nothing_of_the_owners()
    {
        string alice = NewId("alice"), bob = NewId("bob"), mallory = NewId("mallory"), phone = NewId("phone");
        await using var owner = await _harness.ConnectReadyAsync(alice, phone);
        await using var sender = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await sender.CreateChatAsync([alice]);
        await sender.SendMessageAsync(chat.ChatId, "before mallory");
        using var cts = new CancellationTokenSource(WaitTimeout);

        await using var thief = await RawSocket.ConnectAsync(_harness, "gateway-b", mallory, phone, cts.Token);
        var refusal = await thief.ReceiveAsync(cts.Token);

        Assert.Equal(ErrorCodes.ClientIdTaken, refusal!.Value.GetProperty("code").GetString());
        Assert.Equal(CloseCodes.ClientIdTaken, (int?)await thief.ReceiveCloseAsync(cts.Token));
        var after = await sender.SendMessageAsync(chat.ChatId, "after mallory");
        var received = await MessagesAsync(owner, 2);
        Assert.Equal(["before mallory", "after mallory"], received.Select(r => r.Message!.Message));
        Assert.Null(owner.LastClose); // the owner's socket was not replaced
        Assert.Equal(SendStatus.Success, after.Status);
    }

    [Fact]
    public async Task Deactivating_ones_own_client_answers_first_then_closes_the_socket_with_4003()
    {
        string alice = NewId("alice"), phone = NewId("phone");
        using var cts = new CancellationTokenSource(WaitTimeout);
        await using var socket = await RawSocket.ConnectAsync(_harness, "gateway-a", alice, phone, cts.Token);

        await socket.SendAsync(JsonSerializer.Serialize(new { type = FrameTypes.DeactivateClient, requestId = "d1", clientId = phone }), cts.Token);

        var answer = await socket.ReceiveUntilAsync(f => f.TryGetProperty("requestId", out var r) && r.GetString() == "d1", cts.Token);
        Assert.Equal(FrameTypes.ResultOf(FrameTypes.DeactivateClient), answer.GetProperty("type").GetString());
        Assert.Equal(CloseCodes.ClientDeactivated, (int?)await socket.ReceiveCloseAsync(cts.Token));
    }

    [Fact]
    public async Task A_socket_replaced_by_the_same_device_is_closed_with_4002()
    {
        string alice = NewId("alice"), phone = NewId("phone");
        using var cts = new CancellationTokenSource(WaitTimeout);
        await using var first = await RawSocket.ConnectAsync(_harness, "gateway-a", alice, phone, cts.Token);
        await first.SendAsync("""{"type":"listChats","requestId":"l1"}""", cts.Token);
        await first.ReceiveUntilAsync(f => f.TryGetProperty("requestId", out var r) && r.GetString() == "l1", cts.Token);

        await using var second = await RawSocket.ConnectAsync(_harness, "gateway-a", alice, phone, cts.Token);

        Assert.Equal(CloseCodes.Replaced, (int?)await first.ReceiveCloseAsync(cts.Token));
    }

    [Fact]
    public async Task A_device_deactivated_from_another_gateway_is_closed_and_on_return_never_sees_a_delivery_id_twice()
    {
        string alice = NewId("alice"), bob = NewId("bob"), phone = NewId("phone");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var tablet = await _harness.ConnectReadyAsync(bob, NewId("tablet"), autoAck: true, "gateway-a");
        var chat = await a.CreateChatAsync([bob]);
        var seen = new HashSet<string>();
        await using (var old = await _harness.ConnectReadyAsync(bob, phone, autoAck: true, "gateway-b"))
        {
            await a.SendMessageAsync(chat.ChatId, "to the old phone");
            Assert.True(seen.Add((await NextMessageAsync(old)).DeliveryId));

            await tablet.DeactivateClientAsync(phone);

            await WaitUntilAsync(() => Task.FromResult(old.LastClose?.Code == CloseCodes.ClientDeactivated),
                "the phone's socket on the other gateway is closed with 4003");
        }
        await using var again = await _harness.ConnectReadyAsync(bob, phone, autoAck: true, "gateway-b");
        await a.SendMessageAsync(chat.ChatId, "to the phone as a new device");

        var item = await NextMessageAsync(again);
        Assert.Equal("to the phone as a new device", item.Message!.Message);
        Assert.True(seen.Add(item.DeliveryId), $"delivery id {item.DeliveryId} was used before on this device");
    }

    [Fact]
    public async Task A_user_gets_one_shared_command_budget_across_their_devices()
    {
        var user = NewId("alice");
        await using var phone = await _harness.ConnectReadyAsync(user, NewId("phone"));
        await using var laptop = await _harness.ConnectReadyAsync(user, NewId("laptop"));

        // Each socket stays under its own burst (200); together they exceed the user's (300).
        var answers = await Task.WhenAll(
            Enumerable.Range(0, 190).Select(_ => phone.RequestRawAsync("noSuchCommand", _ => { }))
                .Concat(Enumerable.Range(0, 190).Select(_ => laptop.RequestRawAsync("noSuchCommand", _ => { }))));

        Assert.Contains(answers, a => a.GetProperty("code").GetString() == ErrorCodes.RateLimited);
    }
}
