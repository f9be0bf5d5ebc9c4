using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Natter.EndToEnd.Tests.Media;
using Natter.EndToEnd.Tests.Messaging;
using Natter.Inbox;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// Every way a token can be wrong, against both services that take user tokens: the gateway's WebSocket upgrade and
/// MediaService's upload. Each attempt is refused with 401 (docs/PROTOCOL.md §1) and leaves nothing behind.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class TokenMatrixTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    /// <summary>Row name → a token minted by a forger who knows the user and device ids.</summary>
    private static readonly Dictionary<string, Func<ForgedTokens, string, string, string>> Rows = new()
    {
        ["expired 10 s ago"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "exp", Now() - 10)),
        ["expired an hour ago"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "exp", Now() - 3600)),
        ["not valid for another minute"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "nbf", Now() + 60)),
        ["no exp"] = (t, u, c) => t.Hs256(Without(ForgedTokens.ValidClaims(u, c), "exp")),
        ["wrong issuer"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "iss", "https://evil.example")),
        ["wrong audience"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "aud", "someone-else")),
        ["alg none"] = (_, u, c) => ForgedTokens.Unsigned(ForgedTokens.ValidClaims(u, c)),
        ["HS512 with the right key"] = (t, u, c) => t.Hs512(ForgedTokens.ValidClaims(u, c)),
        ["RS256 with a stranger's key"] = (_, u, c) => ForgedTokens.Rs256WithStrangerKey(ForgedTokens.ValidClaims(u, c)),
        ["tampered signature"] = (t, u, c) => t.Tampered(ForgedTokens.ValidClaims(u, c)),
        ["missing sub"] = (t, u, c) => t.Hs256(Without(ForgedTokens.ValidClaims(u, c), "sub")),
        ["missing client_id"] = (t, u, c) => t.Hs256(Without(ForgedTokens.ValidClaims(u, c), "client_id")),
        ["':' in client_id"] = (t, u, c) => t.Hs256(With(ForgedTokens.ValidClaims(u, c), "client_id", $"{c}:1")),
    };

    public static TheoryData<string> RowNames() => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task A_bad_token_is_refused_at_the_websocket_upgrade_and_no_device_is_registered(string row)
    {
        string user = NewId("forger"), client = NewId("forged-device");
        var token = Rows[row](await TokensAsync(), user, client);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(_harness.WebSocketUri("gateway-a"), timeout.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        // Nothing of the device exists in its owner's documents: no registration, no inbox, no presence.
        using var store = await _harness.InboxStoreAsync();
        var device = new DeviceAddress(user, client);
        Assert.False(await store.Devices.IsActiveAsync(device, timeout.Token));
        Assert.Equal((0, 0), await store.Inbox.BoundsAsync(device, timeout.Token));
        Assert.Empty(await store.Presence.LocateAsync([device], timeout.Token));
    }

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task A_bad_token_is_refused_by_media_uploads(string row)
    {
        string user = NewId("forger"), client = NewId("forged-device");
        var token = Rows[row](await TokensAsync(), user, client);
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint("mediaservice"), Timeout = WaitTimeout };
        var content = MediaHarness.RandomBytes(64);
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = new ByteArrayContent(content) };
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        upload.Headers.Add("Upload-Sha256", MediaHarness.Sha256Hex(content));
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(upload);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(MediaHarness.Sha256Hex(content), await new MediaHarness(fixture).BlobNamesAsync("attachments"));
    }

    [Fact]
    public async Task The_baseline_token_of_the_matrix_is_accepted()
    {
        // Control: without this, every row could pass because the forger's baseline itself was wrong.
        string user = NewId("baseline"), client = NewId("baseline-device");
        var token = (await TokensAsync()).Hs256(ForgedTokens.ValidClaims(user, client));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        await socket.ConnectAsync(_harness.WebSocketUri("gateway-a"), timeout.Token);

        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    private async Task<ForgedTokens> TokensAsync() => new(await fixture.ParameterAsync(SidecarSecrets.SigningKey));

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static JsonObject With(JsonObject claims, string name, JsonNode value)
    {
        claims[name] = value;
        return claims;
    }

    private static JsonObject Without(JsonObject claims, string name)
    {
        claims.Remove(name);
        return claims;
    }
}
