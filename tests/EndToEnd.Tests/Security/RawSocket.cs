using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Natter.EndToEnd.Tests.Messaging;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// A bare WebSocket to a gateway, as a client written from PROTOCOL.md in another language would use it: frames go
/// out exactly as given and come back exactly as sent, close status included. No retries, no acks, no dedupe.
/// </summary>
public sealed class RawSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private RawSocket()
    {
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<RawSocket> ConnectAsync(MessagingHarness harness, string gateway, string userId, string clientId, CancellationToken ct)
    {
        var raw = new RawSocket();
        var token = await harness.TokenAsync(gateway, userId, clientId, ct: ct);
        raw._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await raw._socket.ConnectAsync(harness.WebSocketUri(gateway), ct);
        return raw;
    }

    public Task SendAsync(string json, CancellationToken ct) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, ct);

    /// <summary>The next frame, or null once the server has closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            frame.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(frame.ToArray()).RootElement.Clone();
            }
        }
    }

    /// <summary>Frames until one matches, skipping pushes and other answers.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(Func<JsonElement, bool> match, CancellationToken ct)
    {
        while (true)
        {
            var frame = await ReceiveAsync(ct) ?? throw new InvalidOperationException($"the socket closed ({CloseStatus})");
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Reads until the server's close frame arrives; returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(CancellationToken ct)
    {
        while (await ReceiveAsync(ct) is not null)
        {
        }
        return CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Dispose();
    }
}
