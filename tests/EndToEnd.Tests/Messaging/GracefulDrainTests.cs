using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Natter.Client;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>A rolling update's SIGTERM: the gateway drains its sockets gradually to the other one, and nothing is lost.</summary>
[Collection(DestructiveCollection.Name)]
public sealed class GracefulDrainTests(DestructiveAppFixture fixture) : IAsyncLifetime
{
    private const int Receivers = 6;
    private static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(10); // Gateway:DrainWindow's default

    private readonly MessagingHarness _harness = new(fixture);

    public Task InitializeAsync() => fixture.WaitUntilWholeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_gateway_stopped_with_SIGTERM_moves_its_clients_gradually_and_loses_nothing()
    {
        string alice = NewId("alice"), carol = NewId("carol");
        var bobs = Enumerable.Range(0, Receivers).Select(i => NewId($"bob{i}")).ToList();
        // alice sends from the gateway that stays; carol sends through the one that drains; the bobs listen on it.
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-b");
        await using var c = await _harness.ConnectReadyAsync(carol, NewId("c1"), true, "gateway-a", "gateway-b");
        var receivers = new List<NatterClient>();
        try
        {
            foreach (var bob in bobs)
            {
                receivers.Add(await _harness.ConnectReadyAsync(bob, NewId("phone"), true, "gateway-a", "gateway-b"));
            }
            var chat = await a.CreateChatAsync([carol, .. bobs]);
            foreach (var receiver in receivers.Append(c))
            {
                await NextAsync(receiver, i => i.Type == FrameTypes.ChatUpdate);
            }

            using var stopLoad = new CancellationTokenSource();
            var aliceSends = SendSteadilyAsync(a, chat.ChatId, "alice", stopLoad.Token);
            var carolSends = SendSteadilyAsync(c, chat.ChatId, "carol", stopLoad.Token);
            await WaitUntilAsync(() => Task.FromResult(aliceSends.IsCompleted || carolSends.IsCompleted || Sent.Count >= 10), "the load is running");

            using var gateway = ResourceControl.Terminate(fixture, "gateway-a");
            var terminatedAt = Stopwatch.GetTimestamp();

            // While it drains, it is not ready and takes no new sockets.
            using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint("gateway-a"), Timeout = TimeSpan.FromSeconds(2) };
            await WaitUntilAsync(async () => (await StatusOrNullAsync(http, "/health")) == HttpStatusCode.ServiceUnavailable,
                "gateway-a reports itself not ready", DrainWindow);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOrNullAsync(http, "/ws"));

            // Each receiver is moved with 1001, at moments spread over the window rather than all at once.
            var movedAfter = new ConcurrentDictionary<int, TimeSpan>();
            await WaitUntilAsync(() =>
            {
                for (var i = 0; i < receivers.Count; i++)
                {
                    if (receivers[i].ConnectionCount >= 2)
                    {
                        movedAfter.TryAdd(i, Stopwatch.GetElapsedTime(terminatedAt));
                    }
                }
                return Task.FromResult(movedAfter.Count == receivers.Count);
            }, "every receiver reconnected to gateway-b", TimeSpan.FromSeconds(60));
            Assert.All(receivers, r => Assert.Equal(CloseCodes.GoingAway, r.LastClose?.Code));
            var spread = movedAfter.Values.Max() - movedAfter.Values.Min();
            Assert.True(spread >= DrainWindow / 3, $"the {Receivers} sockets were closed within {spread} of each other");

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await gateway.WaitForExitAsync(exit.Token);

            await stopLoad.CancelAsync();
            var sent = (await aliceSends).Concat(await carolSends).ToHashSet();
            Assert.True(sent.Count >= 20, $"only {sent.Count} messages were sent during the drain");

            // Every accepted message reaches every receiver once, in seq order.
            foreach (var receiver in receivers)
            {
                var got = await MessagesAsync(receiver, sent.Count, TimeSpan.FromSeconds(60));
                Assert.Equal(sent.Order(), got.Select(r => r.Message!.MessageId).Order());
                Assert.Equal(got.Select(r => r.Message!.Seq).Order(), got.Select(r => r.Message!.Seq));
                Assert.Equal(0, receiver.DuplicateMessages);
            }
        }
        finally
        {
            foreach (var receiver in receivers)
            {
                await receiver.DisposeAsync();
            }
        }
    }

    private ConcurrentBag<string> Sent { get; } = [];

    /// <summary>
    /// One message every 100 ms, each resent with its clientMessageId until SUCCESS, as a real client does when its
    /// connection closes under it. Returns the accepted message ids.
    /// </summary>
    private async Task<List<string>> SendSteadilyAsync(NatterClient client, string chatId, string who, CancellationToken stop)
    {
        var accepted = new List<string>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var clientMessageId = $"{who}-{n}";
            while (true)
            {
                try
                {
                    var result = await client.SendMessageAsync(chatId, clientMessageId, clientMessageId: clientMessageId);
                    Assert.Equal(SendStatus.Success, result.Status);
                    accepted.Add(result.MessageId!);
                    Sent.Add(result.MessageId!);
                    break;
                }
                catch (Exception e) when (e is NatterDisconnectedException or OperationCanceledException or TimeoutException
                                              or NatterErrorException { Code: ErrorCodes.Unavailable })
                {
                    using var reconnect = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await client.WaitConnectedAsync(reconnect.Token);
                }
            }
            try
            {
                await Task.Delay(100, stop); // pacing the load, not synchronisation
            }
            catch (OperationCanceledException)
            {
            }
        }
        return accepted;
    }

    private static async Task<HttpStatusCode?> StatusOrNullAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
