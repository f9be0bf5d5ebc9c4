using System.Net;
using System.Text.Json;
using Natter.Client;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using Natter.EndToEnd.Tests.Security;
using Natter.Inbox;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Push;

/// <summary>
/// Push to offline devices through the whole AppHost: ChatService hands offline recipients to the push-requests topic,
/// the Node.js push sender coalesces per device (PushDevice actor) and calls the test receiver through its
/// bindings.http component. Every test uses its own tokens, so tests sharing the receiver never see each other's pushes.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class PushNotificationTests(NatterAppFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10); // PushSender's coalescing window

    private readonly MessagingHarness _harness = new(fixture);
    private PushReceiver Receiver => fixture.PushReceiver;

    private static string NewToken() => $"tok-{Guid.NewGuid():N}";

    /// <summary>Registers a push token on a fresh device, then disconnects it and waits until its presence is gone.</summary>
    private async Task<string> OfflineDeviceWithTokenAsync(string userId, string clientId)
    {
        var token = NewToken();
        await using (var device = await _harness.ConnectReadyAsync(userId, clientId))
        {
            Assert.True((await device.RegisterPushAsync(token)).Registered);
        }
        using var store = await _harness.InboxStoreAsync();
        var address = new DeviceAddress(userId, clientId);
        await WaitUntilAsync(async () => (await store.Presence.LocateAsync([address], CancellationToken.None)).Count == 0, $"{address} is offline");
        return token;
    }

    private async Task<IReadOnlyList<PushReceiver.Notification>> NotificationsAsync(string token, int atLeast, TimeSpan? timeout = null)
    {
        await WaitUntilAsync(() => Task.FromResult(Receiver.For(token).Count >= atLeast), $"{atLeast} notification(s) for {token}", timeout);
        return Receiver.For(token);
    }

    /// <summary>
    /// The hand-off (a push-requests event: one per stored item) of an item of the chat that names the token, read from the topic's
    /// stream. Which devices a hand-off names is the chat service's whole decision, so a device missing from it is
    /// never notified for that item: asserting on the hand-off needs no wait for something that must not come.
    /// </summary>
    private async Task<IReadOnlyList<PushRequest>> HandOffNamingAsync(string token, string chatId)
    {
        await using var redis = await _harness.ConnectRedisAsync();
        IReadOnlyList<PushRequest>? found = null;
        await WaitUntilAsync(async () =>
        {
            foreach (var entry in await redis.GetDatabase().StreamRangeAsync(PushTopics.Requests))
            {
                if (PushBatchOf(entry) is { } batch && batch.Requests.Any(r => r.Token == token && r.ChatId == chatId))
                {
                    found = batch.Requests;
                    return true;
                }
            }
            return false;
        }, $"a push hand-off naming {token} for chat {chatId}");
        return found!;
    }

    private static PushBatch? PushBatchOf(StackExchange.Redis.StreamEntry entry)
    {
        // The entry's "data" field is the CloudEvent the sidecar wrapped the published batch in.
        using var cloudEvent = JsonDocument.Parse(entry["data"].ToString());
        return cloudEvent.RootElement.GetProperty("data").Deserialize<PushBatch>(NatterJson.Options);
    }

    [Fact]
    public async Task An_offline_device_gets_a_notification_with_its_token_the_chat_and_the_count_but_no_message_text()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("phone");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([bob]);
        var token = await OfflineDeviceWithTokenAsync(bob, bobPhone);

        await a.SendMessageAsync(chat.ChatId, "the secret plans for saturday");

        var notification = Assert.Single(await NotificationsAsync(token, 1));
        Assert.Equal(token, notification.Token);
        Assert.Equal(bob, notification.Body.GetProperty("userId").GetString());
        Assert.Equal(bobPhone, notification.Body.GetProperty("clientId").GetString());
        Assert.Equal(1, notification.CountFor(chat.ChatId));
        Assert.Equal($"1 new item from chat {chat.ChatId}", notification.Body.GetProperty("text").GetString());
        Assert.DoesNotContain("secret plans", notification.RawBody);
        Assert.DoesNotContain(alice, notification.RawBody);
    }

    [Fact]
    public async Task An_online_device_and_the_senders_own_devices_get_no_notification()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var bobToken = NewToken();
        await b.RegisterPushAsync(bobToken);
        var chat = await a.CreateChatAsync([bob, carol]);
        // Registered after the chat exists, so the message is the only item either of them is stored.
        var aliceTablet = await OfflineDeviceWithTokenAsync(alice, NewId("tablet"));
        var carolToken = await OfflineDeviceWithTokenAsync(carol, NewId("c1"));

        await a.SendMessageAsync(chat.ChatId, "hello both");
        await NextMessageAsync(b);

        // Carol (offline) is the control: the hand-off that names her is the one the tablet would be in, and names only her.
        Assert.Equal(1, Assert.Single(await NotificationsAsync(carolToken, 1)).CountFor(chat.ChatId));
        var handOff = await HandOffNamingAsync(carolToken, chat.ChatId);
        Assert.Equal([carolToken], handOff.Select(r => r.Token));
        Assert.Empty(Receiver.For(aliceTablet));
        Assert.Empty(Receiver.For(bobToken));
    }

    [Fact]
    public async Task Several_items_within_the_window_are_one_notification_now_and_one_summary_after_the_window()
    {
        string alice = NewId("alice"), dave = NewId("dave");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([dave]);
        var token = await OfflineDeviceWithTokenAsync(dave, NewId("d1"));

        for (var i = 0; i < 4; i++)
        {
            await a.SendMessageAsync(chat.ChatId, $"message {i}");
        }

        // The first item is announced at once; the other three are summed and announced when the window ends.
        var both = await NotificationsAsync(token, 2, Window * 3);
        Assert.Equal(2, both.Count);
        Assert.Equal(1, both[0].CountFor(chat.ChatId));
        Assert.Equal(3, both[1].CountFor(chat.ChatId));
        Assert.Equal(3, both[1].Body.GetProperty("total").GetInt32());
        Assert.Contains($"3 new items from chat {chat.ChatId}", both[1].Body.GetProperty("text").GetString());
        Assert.True(both[1].At - both[0].At >= Window - TimeSpan.FromSeconds(1), $"summary came {both[1].At - both[0].At} after the first");
    }

    [Fact]
    public async Task A_deactivated_device_and_a_cleared_token_get_no_notification()
    {
        string alice = NewId("alice"), erin = NewId("erin"), oldPhone = NewId("old"), cleared = NewId("cleared");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([erin]);
        var oldToken = await OfflineDeviceWithTokenAsync(erin, oldPhone);
        var control = await OfflineDeviceWithTokenAsync(erin, NewId("control"));
        var clearedToken = NewToken();
        await using (var c = await _harness.ConnectReadyAsync(erin, cleared))
        {
            await c.RegisterPushAsync(clearedToken);
            Assert.False((await c.ClearPushAsync()).Registered);
            Assert.True((await c.DeactivateClientAsync(oldPhone)).ClientId == oldPhone);
        }
        using var store = await _harness.InboxStoreAsync();
        await WaitUntilAsync(async () => (await store.Presence.LocateAsync([new DeviceAddress(erin, cleared)], CancellationToken.None)).Count == 0, "erin's device is offline");

        await a.SendMessageAsync(chat.ChatId, "anyone there?");

        await NotificationsAsync(control, 1);
        var handOff = await HandOffNamingAsync(control, chat.ChatId);
        Assert.Equal([control], handOff.Select(r => r.Token));
        Assert.Empty(Receiver.For(clearedToken));
        Assert.Empty(Receiver.For(oldToken));
    }

    [Theory]
    [InlineData("""{"type":"registerPush","requestId":"p1"}""", "token is required")]
    [InlineData("""{"type":"registerPush","requestId":"p1","token":"short"}""", "token has 8 to 512")]
    [InlineData("""{"type":"registerPush","requestId":"p1","token":"has spaces and !"}""", "token has 8 to 512")]
    [InlineData("""{"type":"registerPush","requestId":"p1","token":42}""", "field 'token' has the wrong type")]
    public async Task RegisterPush_refuses_a_missing_malformed_or_ill_typed_token(string frame, string message)
    {
        await using var client = await _harness.ConnectReadyAsync(NewId("user"), NewId("c"));
        var answer = await RawAsync(client, frame);

        Assert.Equal(FrameTypes.Error, answer.GetProperty("type").GetString());
        Assert.Equal(ErrorCodes.InvalidField, answer.GetProperty("code").GetString());
        Assert.Contains(message, answer.GetProperty("message").GetString());
    }

    [Fact]
    public async Task RegisterPush_refuses_a_token_longer_than_512_characters()
    {
        await using var client = await _harness.ConnectReadyAsync(NewId("user"), NewId("c"));

        var refusal = await Assert.ThrowsAsync<NatterErrorException>(() => client.RegisterPushAsync(new string('a', PushTokens.MaxLength + 1)));

        Assert.Equal(ErrorCodes.InvalidField, refusal.Code);
        Assert.True((await client.RegisterPushAsync(new string('a', PushTokens.MaxLength))).Registered);
    }

    [Fact]
    public async Task The_push_senders_sidecar_routes_require_the_app_api_token()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.HttpEndpoint("pushsender") };
        using var forged = new HttpClient { BaseAddress = fixture.HttpEndpoint("pushsender") };
        forged.DefaultRequestHeaders.Add(SidecarSecrets.HeaderName, "not-the-token");
        using var sidecar = await fixture.AsSidecarAsync("pushsender");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dapr/subscribe")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/dapr/config")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("/actors/PushDevice/x/method/enqueue", new StringContent("[]"))).StatusCode);
        var subscriptions = await sidecar.GetStringAsync("/dapr/subscribe");
        Assert.Contains(PushTopics.Requests, subscriptions);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }

    private static async Task<JsonElement> RawAsync(NatterClient client, string frame)
    {
        // The frame's requestId is replaced by the client's own, so the answer can be correlated.
        using var document = JsonDocument.Parse(frame);
        return await client.RequestRawAsync(document.RootElement.GetProperty("type").GetString()!, w =>
        {
            foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name is not ("type" or "requestId")))
            {
                property.WriteTo(w);
            }
        });
    }
}
