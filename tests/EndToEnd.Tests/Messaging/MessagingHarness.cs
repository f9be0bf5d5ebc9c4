using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Natter.Client;
using Natter.Contracts;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>Builds real WebSocket clients against the running AppHost and waits on conditions with timeouts.</summary>
public sealed class MessagingHarness(NatterAppFixture fixture)
{
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public Uri WebSocketUri(string gateway)
    {
        var http = fixture.HttpEndpoint(gateway);
        return new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
    }

    public async Task<string> TokenAsync(
        string gateway, string userId, string clientId, int lifetimeSeconds = 3600, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(gateway) };
        var response = await http.PostAsJsonAsync("/dev/token", new { userId, clientId, lifetimeSeconds }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return body!.Token;
    }

    /// <summary>A connected client; reconnects go to the given gateways in turn.</summary>
    public async Task<NatterClient> ConnectAsync(
        string userId, string clientId, bool autoAck = true, params string[] gateways)
    {
        var targets = gateways.Length == 0 ? ["gateway-a"] : gateways;
        using var cts = new CancellationTokenSource(WaitTimeout);
        return await NatterClient.ConnectAsync(new NatterClientOptions
        {
            Endpoints = [.. targets.Select(WebSocketUri)],
            TokenProvider = ct => AnyGatewayTokenAsync(targets, userId, clientId, ct),
            AutoAcknowledge = autoAck,
        }, cts.Token);
    }

    /// <summary>Any live gateway mints development tokens (they share the signing key), so a dead one is skipped.</summary>
    private async Task<string> AnyGatewayTokenAsync(string[] gateways, string userId, string clientId, CancellationToken ct)
    {
        Exception? last = null;
        foreach (var gateway in gateways)
        {
            // A killed gateway's proxy may accept the connection and never answer: a short bound per gateway.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                return await TokenAsync(gateway, userId, clientId, ct: attempt.Token);
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                last = e;
            }
        }
        throw last!;
    }

    public StackExchange.Redis.IServer RedisServer(StackExchange.Redis.ConnectionMultiplexer redis) => redis.GetServers()[0];

    public Task<StackExchange.Redis.ConnectionMultiplexer> ConnectRedisAsync()
    {
        var endpoint = fixture.App.GetEndpoint("redis", "tcp");
        return StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{endpoint.Port},allowAdmin=true");
    }

    /// <summary>The inbox library through a sidecar: what a test asserts about stored state, it asserts through the owner.</summary>
    public Task<InboxStore> InboxStoreAsync() => InboxStore.ConnectAsync(fixture);

    /// <summary>Connects and waits until the gateway has registered the device and finished its first drain.</summary>
    public async Task<NatterClient> ConnectReadyAsync(string userId, string clientId, bool autoAck = true, params string[] gateways)
    {
        var client = await ConnectAsync(userId, clientId, autoAck, gateways);
        // listChats is answered after the registration that precedes the socket: the device now receives fan-outs.
        await client.ListChatsAsync();
        return client;
    }

    public static async Task<ReceivedItem> NextAsync(NatterClient client, Func<ReceivedItem, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? WaitTimeout);
        while (true)
        {
            var item = await client.Items.ReadAsync(cts.Token);
            if (match is null || match(item))
            {
                return item;
            }
        }
    }

    public static async Task<ReceivedItem> NextMessageAsync(NatterClient client, TimeSpan? timeout = null) =>
        await NextAsync(client, i => i.Type == FrameTypes.NewMessage, timeout);

    public static async Task<List<ReceivedItem>> MessagesAsync(NatterClient client, int count, TimeSpan? timeout = null)
    {
        var items = new List<ReceivedItem>(count);
        using var cts = new CancellationTokenSource(timeout ?? WaitTimeout);
        while (items.Count < count)
        {
            var item = await client.Items.ReadAsync(cts.Token);
            if (item.Type == FrameTypes.NewMessage)
            {
                items.Add(item);
            }
        }
        return items;
    }

    /// <summary>Polls a condition every 100 ms until it holds or the timeout passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? WaitTimeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
        }
    }

    private sealed record TokenResponse(string Token);
}
