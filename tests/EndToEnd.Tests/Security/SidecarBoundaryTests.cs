using System.Net.Http.Json;
using System.Net;
using Aspire.Hosting.Testing;
using Dapr.Client;
using Dapr;
using Grpc.Core;
using Natter.Chats;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using Natter.Inbox;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// The trust boundary between clients, apps and sidecars: a route that only a sidecar calls answers 401 to anyone
/// without APP_API_TOKEN, and a sidecar's API answers 401 to anyone without DAPR_API_TOKEN.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class SidecarBoundaryTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    /// <summary>Every route a sidecar calls on an app: pub/sub discovery and delivery, actors, the cron binding.</summary>
    public static TheoryData<string, string, string> SidecarRoutes() => new()
    {
        { "gateway-a", "GET", "/dapr/subscribe" },
        { "gateway-a", "POST", "/deliveries" },
        { "gateway-a", "POST", "/live-signals" }, // typing and presence (§12)
        { "chatservice-a", "GET", "/dapr/config" },
        { "chatservice-a", "PUT", "/actors/ChatActor/forged-chat/method/GetAsync" },
        { "chatservice-a", "PUT", "/actors/ChatActor/forged-chat/method/remind/forged" },
        { "chatservice-a", "PUT", "/actors/ChatActor/forged-chat/method/timer/forged" },
        { "chatservice-a", "DELETE", "/actors/ChatActor/forged-chat" },
        { "chatservice-a", "OPTIONS", "/cleanup" },
        { "chatservice-a", "POST", "/cleanup" },
        { "mediaservice", "OPTIONS", "/cleanup" },
        { "mediaservice", "POST", "/cleanup" },
    };

    [Theory]
    [MemberData(nameof(SidecarRoutes))]
    public async Task A_sidecar_route_refuses_a_caller_without_the_app_api_token(string service, string method, string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(service), Timeout = WaitTimeout };

        using var anonymous = await http.SendAsync(SidecarRequest(method, path, token: null));
        using var wrongToken = await http.SendAsync(SidecarRequest(method, path, token: "not-the-app-api-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
    }

    [Fact]
    public async Task A_forged_delivery_reaches_no_device_and_the_real_one_still_arrives()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("bob-phone");
        await using var b = await _harness.ConnectReadyAsync(bob, bobPhone);
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("alice-phone"));
        var chat = await a.CreateChatAsync([bob]);
        await NextAsync(b, i => i.Type == FrameTypes.ChatUpdate);
        var forged = new DeliveryBatch([new Delivery(bob, bobPhone, 1_000_000, new InboxEntry(InboxEntryKinds.NewMessage,
            new MessagePayload(chat.ChatId, "forged", 1, alice, "send me your password", [], 0), null, 0, null))]);
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint("gateway-a"), Timeout = WaitTimeout };

        using var refused = await http.PostAsJsonAsync("/deliveries", forged, NatterJson.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The next message bob sees is alice's real one: the forged entry never reached his socket.
        Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, "real")).Status);
        var next = await NextMessageAsync(b);
        Assert.Equal("real", next.Message!.Message);
        Assert.Equal(1, next.Message.Seq);
    }

    [Fact]
    public async Task A_delivery_beyond_the_inbox_head_is_ignored_even_with_the_app_api_token()
    {
        // A compromised or confused sidecar is still no reason to trust an entry number: the gateway checks it
        // against the inbox head it reads from the store, so the cursor never moves past what really exists.
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("bob-phone");
        await using var b = await _harness.ConnectReadyAsync(bob, bobPhone, autoAck: true, "gateway-a");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("alice-phone"));
        var chat = await a.CreateChatAsync([bob]);
        await NextAsync(b, i => i.Type == FrameTypes.ChatUpdate);
        var forged = new DeliveryBatch([new Delivery(bob, bobPhone, 1_000_000, new InboxEntry(InboxEntryKinds.NewMessage,
            new MessagePayload(chat.ChatId, "forged", 1, alice, "forged past the head", [], 0), null, 0, null))]);
        using var sidecar = await fixture.AsSidecarAsync("gateway-a");

        using var accepted = await sidecar.PostAsJsonAsync("/deliveries", forged, NatterJson.Options);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, $"real {i}")).Status);
            sent.Add($"real {i}");
        }
        Assert.Equal(sent, (await MessagesAsync(b, 5)).Select(m => m.Message!.Message));
    }

    [Fact]
    public async Task An_unsealed_delivery_of_a_real_entry_shows_the_stored_entry_not_the_events_words()
    {
        // An entry committed but not yet delivered (written here straight to the inbox, with no event), and an event
        // for its number with other words, posted with the app api token but without the chat service's seal.
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("bob-phone");
        await using var b = await _harness.ConnectReadyAsync(bob, bobPhone, autoAck: false, "gateway-a");
        var stored = new InboxEntry(InboxEntryKinds.NewMessage,
            new MessagePayload(NewId("chat"), NewId("message"), 1, alice, "the stored words", [], 1), null, 1, null);
        using var store = await _harness.InboxStoreAsync();
        var slot = (await store.Inbox.AppendAsync([new DeviceAddress(bob, bobPhone)], stored, NewId("fence"),
            (_, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>>([]), CancellationToken.None)).Single();
        var forged = new DeliveryBatch([new Delivery(bob, bobPhone, slot.N,
            stored with { Message = stored.Message! with { Message = "words put in alice's mouth" } })]);
        using var sidecar = await fixture.AsSidecarAsync("gateway-a");

        using var accepted = await sidecar.PostAsJsonAsync("/deliveries", forged, NatterJson.Options);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var shown = await NextMessageAsync(b);
        Assert.Equal(stored.Message.MessageId, shown.Message!.MessageId);
        Assert.Equal("the stored words", shown.Message.Message);
    }

    [Fact]
    public async Task The_sidecar_still_reaches_its_routes_with_the_app_api_token()
    {
        using var chat = await fixture.AsSidecarAsync("chatservice-a");
        using var media = await fixture.AsSidecarAsync("mediaservice");
        using var gateway = await fixture.AsSidecarAsync("gateway-a");

        using var config = await chat.GetAsync(new Uri("/dapr/config", UriKind.Relative));
        using var subscriptions = await gateway.GetAsync(new Uri("/dapr/subscribe", UriKind.Relative));
        using var probe = await media.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/cleanup"));

        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.Contains(IChatActor.TypeName, await config.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, subscriptions.StatusCode);
        Assert.Contains("deliveries-gateway-a", await subscriptions.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SmokeTestsBase.ServiceNames), MemberType = typeof(SmokeTestsBase))]
    public async Task A_sidecar_refuses_its_state_api_without_the_dapr_api_token(string service)
    {
        var sidecarHttp = fixture.App.GetEndpoint($"{service}-dapr", "http");
        using var http = new HttpClient { BaseAddress = sidecarHttp, Timeout = WaitTimeout };
        using var dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(fixture.App.GetEndpoint($"{service}-dapr", "grpc").ToString())
            .UseHttpEndpoint(sidecarHttp.ToString())
            .Build();
        var key = NewId("forged");

        using var httpSave = await http.PostAsJsonAsync("/v1.0/state/statestore", new[] { new { key, value = "forged" } });
        using var httpRead = await http.GetAsync(new Uri($"/v1.0/state/statestore/{key}", UriKind.Relative));
        var grpcSave = await Assert.ThrowsAsync<DaprException>(() => dapr.SaveStateAsync("statestore", key, "forged"));

        Assert.Equal(HttpStatusCode.Unauthorized, httpSave.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, httpRead.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(grpcSave.InnerException).StatusCode);
        // Nothing was stored: the owner of the token reads the key back empty.
        using var withToken = new DaprClientBuilder()
            .UseGrpcEndpoint(fixture.App.GetEndpoint($"{service}-dapr", "grpc").ToString())
            .UseHttpEndpoint(sidecarHttp.ToString())
            .UseDaprApiToken(await fixture.ParameterAsync(SidecarSecrets.DaprApiToken))
            .Build();
        Assert.Null(await withToken.GetStateAsync<string>("statestore", key));
    }

    private static HttpRequestMessage SidecarRequest(string method, string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = JsonContent.Create(new { });
        }
        if (token is not null)
        {
            request.Headers.Add(SidecarSecrets.HeaderName, token);
        }
        return request;
    }
}
