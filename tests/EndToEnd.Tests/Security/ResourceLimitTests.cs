using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using Natter.Inbox;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>One client cannot hold server resources for ever: a dead peer is dropped, a client that stops reading is cut off.</summary>
[Collection(NatterAppCollection.Name)]
public sealed class ResourceLimitTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task A_peer_that_never_answers_pings_is_disconnected()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var peer = await BareUpgradeAsync("gateway-a", NewId("alice"), NewId("silent"), cts.Token);

        // Read (and ignore) whatever comes, pings included, and never answer: the gateway must end the connection
        // after its keep-alive timeout. Without one it would ping for ever and this read would run into the timeout.
        var buffer = new byte[4096];
        var stream = peer.GetStream();
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is an end too.
        }
        Assert.False(cts.IsCancellationRequested, "the gateway never dropped the silent peer");
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_once_its_queue_passes_the_byte_limit()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("phone");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([bob]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var reader = await BareUpgradeAsync("gateway-a", bob, bobPhone, cts.Token); // never reads a byte
        using var store = await _harness.InboxStoreAsync();
        var presence = store.Presence;
        var device = new DeviceAddress(bob, bobPhone);
        await WaitUntilAsync(async () => (await presence.LocateAsync([device], cts.Token)).Count == 1, "bob's socket is open");

        // 64 KiB messages: the 16 MiB queue limit (plus what the TCP buffers hold) passes within a few hundred.
        var big = new string('x', 60 * 1024);
        var sent = 0;
        // Pacing, not synchronisation: 50 sends a second stays under the per-connection rate limit (100/s, burst 200),
        // which a fast host otherwise reaches before the queue limit (one clean-clone run was answered rate_limited).
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while ((await presence.LocateAsync([device], cts.Token)).Count == 1 && await pace.WaitForNextTickAsync(cts.Token))
        {
            Assert.True(sent < 1500, "the gateway kept queueing for a client that reads nothing");
            Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, big, ct: cts.Token)).Status);
            sent++;
        }

        // The socket was closed and its presence released; everything sent stays in bob's inbox for his next connection.
        await using var back = await _harness.ConnectAsync(bob, bobPhone);
        Assert.Equal(big, (await NextMessageAsync(back)).Message!.Message);
    }

    /// <summary>A WebSocket upgrade done by hand, so nothing answers pings or reads frames unless the test does.</summary>
    private async Task<TcpClient> BareUpgradeAsync(string gateway, string userId, string clientId, CancellationToken ct)
    {
        var token = await _harness.TokenAsync(gateway, userId, clientId, ct: ct);
        var endpoint = fixture.HttpEndpoint(gateway);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port, ct);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws HTTP/1.1\r\nHost: {endpoint.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, ct) == 1)
        {
            head.Append((char)one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
        return tcp;
    }
}
