using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Natter.Contracts;

namespace Natter.Benchmarks.Messaging;

/// <summary>
/// The physical reference for the messaging benchmark: a bare Kestrel WebSocket relay that speaks the subset of
/// Natter's protocol the load generator uses, with the same JSON frames: createChat, sendMessage and its result,
/// newMessage, RECEIVED. Every frame is parsed and every answer serialised with the same contracts; nothing is stored,
/// nothing crosses a process. It runs as its own process (`bench relay-server --port N`) so its CPU is measured apart
/// from the load generator's.
/// </summary>
public static class RelayServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = BenchOptions.Int(args, "--port", 0);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        var relay = new Relay();
        app.Map("/ws", relay.AcceptAsync);
        app.MapGet("/health", () => "ok");
        await app.RunAsync();
        return 0;
    }

    private sealed class Relay
    {
        private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Chat> _chats = new(StringComparer.Ordinal);

        public async Task AcceptAsync(HttpContext context)
        {
            // The bearer token is the user id: identity is not what the relay measures.
            var user = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
            if (!context.WebSockets.IsWebSocketRequest || user.Length == 0)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var peer = new Peer(user, socket);
            _peers[user] = peer;
            var writing = peer.WriteLoopAsync();
            try
            {
                await ReceiveLoopAsync(peer, context.RequestAborted);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
            finally
            {
                _peers.TryRemove(new KeyValuePair<string, Peer>(user, peer));
                peer.Outbound.Writer.TryComplete();
                await writing;
            }
        }

        private async Task ReceiveLoopAsync(Peer peer, CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await peer.Socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await peer.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                    return;
                }
                Handle(peer, buffer.AsMemory(0, length));
            }
        }

        private void Handle(Peer peer, ReadOnlyMemory<byte> frame)
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            var requestId = root.TryGetProperty("requestId", out var r) ? r.GetString() : null;
            switch (root.GetProperty("type").GetString())
            {
                case FrameTypes.CreateChat:
                    var members = root.GetProperty("participants").EnumerateArray().Select(p => p.GetString()!).Append(peer.User).Distinct().ToList();
                    var chatId = Guid.CreateVersion7().ToString();
                    _chats[chatId] = new Chat(members);
                    peer.Send(new CreateChatResult(requestId, chatId, members));
                    break;
                case FrameTypes.SendMessage:
                    var command = root.Deserialize<SendMessageCommand>(NatterJson.Options)!;
                    var chat = _chats[command.ChatId!];
                    var seq = Interlocked.Increment(ref chat.Seq);
                    var payload = new MessagePayload(command.ChatId!, Guid.CreateVersion7().ToString(), seq, peer.User, command.Message!, [],
                        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    peer.Send(new SendMessageResult(requestId, SendStatus.Success, payload.MessageId, seq, payload.Timestamp, null, null));
                    foreach (var member in chat.Members)
                    {
                        if (member != peer.User && _peers.TryGetValue(member, out var to))
                        {
                            to.Send(new NewMessageFrame($"{member}:{Interlocked.Increment(ref to.Next)}", payload));
                        }
                    }
                    break;
                case FrameTypes.Received:
                    _ = root.Deserialize<ReceivedCommand>(NatterJson.Options);
                    break;
            }
        }
    }

    private sealed class Chat(List<string> members)
    {
        public readonly List<string> Members = members;
        public long Seq;
    }

    /// <summary>One socket with one writer loop, as the gateway has.</summary>
    private sealed class Peer(string user, WebSocket socket)
    {
        public readonly string User = user;
        public readonly WebSocket Socket = socket;
        public readonly Channel<byte[]> Outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        public long Next;

        public void Send<T>(T frame) => Outbound.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(frame, NatterJson.Options));

        public async Task WriteLoopAsync()
        {
            try
            {
                await foreach (var frame in Outbound.Reader.ReadAllAsync())
                {
                    await Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
            }
        }
    }
}
