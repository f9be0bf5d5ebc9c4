using System.Net;
using System.Net.WebSockets;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class DeviceTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task The_fourth_device_is_refused_until_one_is_deactivated()
    {
        var user = NewId("user");
        await using var one = await _harness.ConnectReadyAsync(user, NewId("d1"));
        await using var two = await _harness.ConnectReadyAsync(user, NewId("d2"));
        var threeId = NewId("d3");
        await using var three = await _harness.ConnectReadyAsync(user, threeId, true, "gateway-b");

        var four = await _harness.ConnectAsync(user, NewId("d4"));
        using var cts = new CancellationTokenSource(WaitTimeout);
        var refusal = await four.Errors.ReadAsync(cts.Token);
        await four.Completion.WaitAsync(cts.Token);
        Assert.Equal(ErrorCodes.TooManyDevices, refusal.Code);
        Assert.Equal(CloseCodes.TooManyDevices, four.LastClose?.Code);
        await four.DisposeAsync();

        var deactivated = await one.DeactivateClientAsync(threeId);
        Assert.Equal(threeId, deactivated.ClientId);
        await using var fourAgain = await _harness.ConnectReadyAsync(user, NewId("d4"));
        Assert.Empty((await fourAgain.ListChatsAsync()).Chats);
    }

    [Fact]
    public async Task Deactivating_a_client_drops_its_pending_inbox()
    {
        string alice = NewId("alice"), bob = NewId("bob"), oldPhone = NewId("old");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var bobNew = await _harness.ConnectReadyAsync(bob, NewId("new"));
        await (await _harness.ConnectReadyAsync(bob, oldPhone)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);
        await a.SendMessageAsync(chat.ChatId, "for every device");
        await NextMessageAsync(bobNew);

        await bobNew.DeactivateClientAsync(oldPhone);
        var after = await a.SendMessageAsync(chat.ChatId, "after deactivation");

        // The old phone comes back as a new device: nothing from before, and it gets what is sent from now on.
        await using var back = await _harness.ConnectReadyAsync(bob, oldPhone);
        var marker = await a.SendMessageAsync(chat.ChatId, "marker");
        Assert.Equal(marker.MessageId, (await NextMessageAsync(back)).Message!.MessageId);
        Assert.NotEqual(after.MessageId, marker.MessageId);
    }

    [Fact]
    public async Task Deactivating_an_unknown_client_is_an_error()
    {
        await using var c = await _harness.ConnectReadyAsync(NewId("user"), NewId("d1"));
        var error = await Assert.ThrowsAsync<Natter.Client.NatterErrorException>(() => c.DeactivateClientAsync("not-mine"));
        Assert.Equal(ErrorCodes.UnknownClient, error.Code);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("tampered")]
    [InlineData("expired")]
    public async Task Upgrade_without_a_valid_token_gets_401_and_no_socket(string kind)
    {
        var token = await _harness.TokenAsync("gateway-a", NewId("user"), NewId("d"), kind == "expired" ? -120 : 3600);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (kind != "missing")
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + (kind == "tampered" ? token[..^4] + "AAAA" : token));
        }

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(_harness.WebSocketUri("gateway-a"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }
}
