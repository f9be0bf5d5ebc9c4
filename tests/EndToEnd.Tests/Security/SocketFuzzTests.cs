using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using FsCheck;
using FsCheck.Fluent;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using Natter.Testing.Fuzz;
using Xunit.Abstractions;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// 10,000 generated and mutated frames (FsCheck, fixed seed) down one real socket to a real gateway. Every frame must
/// get exactly one answer (a result or an error frame); afterwards the socket still answers and other users are served.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class SocketFuzzTests(NatterAppFixture fixture, ITestOutputHelper output)
{
    private const int Frames = 10_000;
    private const int Window = 64; // frames in flight before the sender waits for answers
    private const int MaxFrameBytes = 256 * 1024; // under the gateway's 512 KiB limit, which closes the socket by design

    private readonly MessagingHarness _harness = new(fixture);

    // Mostly byte-level damage (answered by the reader, not counted by the rate limit) plus every other kind of frame.
    private static readonly Gen<byte[]> SocketFrames =
        Gen.Frequency((1, FrameGenerators.AnyFrame), (4, FrameGenerators.ByteMutated)).Where(b => b.Length <= MaxFrameBytes);

    [Fact]
    public async Task Ten_thousand_fuzzed_frames_are_each_answered_and_the_socket_and_other_users_are_still_served()
    {
        var frames = SocketFrames.Sample(Frames, new Rnd(FrameGenerators.Seed), FrameGenerators.SampleSize);
        var (alice, fuzzClient) = (NewId("alice"), NewId("fuzz"));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await _harness.TokenAsync("gateway-a", alice, fuzzClient));
        // 36 s alone; in the full suite, beside the other end-to-end classes, one run (dd80096) overran 120 s.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        await socket.ConnectAsync(_harness.WebSocketUri("gateway-a"), cts.Token);
        var answers = new Answers();
        var reading = answers.ReadAsync(socket, cts.Token);
        // Paced below the documented per-connection limit (100 commands/s, burst 200) so commands reach the dispatcher.
        using var pace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 150, TokensPerPeriod = 90, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = Frames, AutoReplenishment = true,
        });
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var clock = Stopwatch.StartNew();

        var commands = 0;
        for (var i = 0; i < frames.Length; i++)
        {
            if (CountsAgainstTheLimit(frames[i]))
            {
                commands++;
                using var lease = await pace.AcquireAsync(1, cts.Token);
            }
            await answers.WaitForAsync(i + 1 - Window, cts.Token);
            // Invalid UTF-8 goes as a binary message: in a text message the WebSocket layer itself would reject it (1007).
            var type = IsUtf8(strict, frames[i]) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            await socket.SendAsync(frames[i], type, endOfMessage: true, cts.Token);
        }
        await answers.WaitForAsync(frames.Length, cts.Token);
        var elapsed = clock.Elapsed;

        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"listChats\",\"requestId\":\"after-fuzz\"}"), WebSocketMessageType.Text, true, cts.Token);
        var listed = await answers.WaitForRequestAsync("after-fuzz", cts.Token);
        Assert.Equal(FrameTypes.ResultOf(FrameTypes.ListChats), listed);

        await using var bob = await _harness.ConnectReadyAsync(NewId("bob"), NewId("b1"));
        var carolId = NewId("carol");
        await using var carol = await _harness.ConnectReadyAsync(carolId, NewId("c1"));
        var chat = await bob.CreateChatAsync([carolId]);
        Assert.Equal(SendStatus.Success, (await bob.SendMessageAsync(chat.ChatId, "still served")).Status);
        Assert.Equal("still served", (await NextMessageAsync(carol)).Message!.Message);

        output.WriteLine($"socket: {frames.Length} fuzzed frames ({commands} commands), {answers.Count - 1} answers, 0 dropped, "
            + $"seed 0x{FrameGenerators.Seed:X}, {elapsed.TotalSeconds:F1} s");
        output.WriteLine("answers by code: " + string.Join(", ", answers.Codes.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}")));
        Assert.Equal(frames.Length + 1, answers.Count);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        await reading;
    }

    /// <summary>Roughly what the gateway's limiter counts: a JSON object with a string type other than RECEIVED. Only for pacing.</summary>
    private static bool CountsAgainstTheLimit(byte[] frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.ValueEquals(FrameTypes.Received) is false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsUtf8(UTF8Encoding strict, byte[] bytes)
    {
        try
        {
            strict.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The answers on the fuzzed socket: results and error frames, counted; pushes (deliveries) are not answers.</summary>
    private sealed class Answers
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly Dictionary<string, TaskCompletionSource<string>> _byRequest = new(StringComparer.Ordinal);
        private int _count;
        private int _awaited;

        public int Count => _count;

        public Dictionary<string, int> Codes { get; } = new(StringComparer.Ordinal);

        public async Task ReadAsync(WebSocket socket, CancellationToken ct)
        {
            var buffer = new byte[1 << 20];
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                var root = document.RootElement;
                var type = root.GetProperty("type").GetString()!;
                if (type != FrameTypes.Error && !type.EndsWith(FrameTypes.ResultSuffix, StringComparison.Ordinal))
                {
                    continue; // a delivery to this user (chats the fuzz created); not an answer
                }
                var code = type == FrameTypes.Error ? root.GetProperty("code").GetString()! : type;
                lock (Codes)
                {
                    Codes[code] = Codes.GetValueOrDefault(code) + 1;
                    if (root.TryGetProperty("requestId", out var rid) && rid.GetString() is { } id && _byRequest.Remove(id, out var waiter))
                    {
                        waiter.TrySetResult(type);
                    }
                }
                Interlocked.Increment(ref _count);
                _arrived.Release();
            }
        }

        /// <summary>Waits until at least n answers have arrived.</summary>
        public async Task WaitForAsync(int n, CancellationToken ct)
        {
            while (_awaited < n)
            {
                await _arrived.WaitAsync(ct);
                _awaited++;
            }
        }

        public Task<string> WaitForRequestAsync(string requestId, CancellationToken ct)
        {
            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Codes)
            {
                _byRequest[requestId] = waiter;
            }
            return waiter.Task.WaitAsync(ct);
        }
    }
}
