using Natter.Contracts;
using Natter.EndToEnd.Tests.Security;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>What PROTOCOL.md promises a client written from it alone: answers in request order, 400 for a non-upgrade.</summary>
[Collection(NatterAppCollection.Name)]
public sealed class ProtocolOrderTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Answers_leave_in_request_order_even_for_frames_that_never_become_commands()
    {
        using var cts = new CancellationTokenSource(WaitTimeout);
        await using var socket = await RawSocket.ConnectAsync(_harness, "gateway-a", NewId("alice"), NewId("a1"), cts.Token);

        // A command that takes a store round trip, then three frames that are refused without one.
        await socket.SendAsync("""{"type":"createChat","requestId":"r1","participants":[]}""", cts.Token);
        await socket.SendAsync("""{"requestId":"r2"}""", cts.Token);
        await socket.SendAsync("""{"type":"RECEIVED","requestId":"r3","deliveryId":"someone-else:1"}""", cts.Token);
        await socket.SendAsync("""{"type":"listChats","requestId":"r4"}""", cts.Token);

        var order = new List<string>();
        while (order.Count < 4)
        {
            var frame = await socket.ReceiveUntilAsync(f => f.TryGetProperty("requestId", out _), cts.Token);
            order.Add(frame.GetProperty("requestId").GetString()!);
        }
        Assert.Equal(["r1", "r2", "r3", "r4"], order);
    }

    [Fact]
    public async Task A_plain_GET_of_ws_without_a_token_answers_400_websocket_required()
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint("gateway-a") };

        using var response = await http.GetAsync(new Uri("/ws", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("websocket_required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
