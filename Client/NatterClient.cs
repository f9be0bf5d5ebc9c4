using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Natter.Contracts;

namespace Natter.Client;

/// <summary>
/// A Natter connection for tests, tools and .NET apps: commands with requestId correlation, received items as a channel
/// (acknowledged automatically, deduplicated by messageId and deliveryId), reconnect with backoff across gateways.
/// </summary>
public sealed partial class NatterClient : IAsyncDisposable
{
    private static readonly HashSet<int> TerminalCloseCodes = [CloseCodes.TooManyDevices, CloseCodes.Replaced, CloseCodes.ClientDeactivated, CloseCodes.ClientIdTaken];

    private readonly NatterClientOptions _options;
    private readonly Channel<ReceivedItem> _items = Channel.CreateUnbounded<ReceivedItem>();
    private readonly Channel<ErrorFrame> _errors = Channel.CreateUnbounded<ErrorFrame>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seenMessages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seenDeliveries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task _run = Task.CompletedTask;
    private int _endpointIndex;
    private long _requestCounter;

    private NatterClient(NatterClientOptions options) => _options = options;

    /// <summary>Items pushed by the server, in arrival order.</summary>
    public ChannelReader<ReceivedItem> Items => _items.Reader;

    /// <summary>Error frames without a requestId (bad_json, a refused connection, ...).</summary>
    public ChannelReader<ErrorFrame> Errors => _errors.Reader;

    /// <summary>How many sockets have been opened so far (1 after connect, more after reconnects).</summary>
    public int ConnectionCount { get; private set; }

    public CloseInfo? LastClose { get; private set; }

    /// <summary>Why the latest reconnect attempt failed, if it did (for diagnostics).</summary>
    public Exception? LastConnectError { get; private set; }

    /// <summary>Messages that arrived under a second deliveryId (the same message stored twice); suppressed, but counted.</summary>
    public int DuplicateMessages => _duplicateMessages;

    private int _duplicateMessages;

    /// <summary>Completes when the client stops for good: disposed, or closed with a terminal code.</summary>
    public Task Completion => _run;

    /// <summary>Opens the first socket (throws if the upgrade is refused), then keeps it alive in the background.</summary>
    public static async Task<NatterClient> ConnectAsync(NatterClientOptions options, CancellationToken ct = default)
    {
        var client = new NatterClient(options);
        var first = await client.OpenAsync(ct);
        client._run = client.RunAsync(first);
        return client;
    }

    /// <summary>Waits until a socket is open (after a reconnect, for instance).</summary>
    public Task WaitConnectedAsync(CancellationToken ct) => _connected.Task.WaitAsync(ct);

    public async Task<CreateChatResult> CreateChatAsync(IEnumerable<string> participants, string? name = null, CancellationToken ct = default) =>
        Read<CreateChatResult>(await RequestAsync(FrameTypes.CreateChat, w =>
        {
            w.WriteStartArray("participants");
            foreach (var p in participants)
            {
                w.WriteStringValue(p);
            }
            w.WriteEndArray();
            if (name is not null)
            {
                w.WriteString("name", name);
            }
        }, ct));

    /// <summary>
    /// SUCCESS or FAILURE (with a code) both come back as a result. An outcome the server cannot know throws
    /// <see cref="NatterErrorException"/> with code unavailable: resend with the same clientMessageId.
    /// </summary>
    public async Task<SendMessageResult> SendMessageAsync(
        string chatId, string message, IReadOnlyList<string>? attachments = null, string? clientMessageId = null,
        string? replyTo = null, CancellationToken ct = default) =>
        Read<SendMessageResult>(await RequestAsync(FrameTypes.SendMessage, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("message", message);
            w.WriteStartArray("attachments");
            foreach (var a in attachments ?? [])
            {
                w.WriteStringValue(a);
            }
            w.WriteEndArray();
            if (clientMessageId is not null)
            {
                w.WriteString("clientMessageId", clientMessageId);
            }
            if (replyTo is not null)
            {
                w.WriteString("replyTo", replyTo); // replies (§10)
            }
        }, ct));

    public async Task<ModifyChatParticipantsResult> ModifyChatParticipantsAsync(string chatId, string userId, string operation, CancellationToken ct = default) =>
        Read<ModifyChatParticipantsResult>(await RequestAsync(FrameTypes.ModifyChatParticipants, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("userId", userId);
            w.WriteString("operation", operation);
        }, ct));

    public async Task<GetChatResult> GetChatAsync(string chatId, CancellationToken ct = default) =>
        Read<GetChatResult>(await RequestAsync(FrameTypes.GetChat, w => w.WriteString("chatId", chatId), ct));

    public async Task<ListChatsResult> ListChatsAsync(CancellationToken ct = default) =>
        Read<ListChatsResult>(await RequestAsync(FrameTypes.ListChats, _ => { }, ct));

    public async Task<DeactivateClientResult> DeactivateClientAsync(string clientId, CancellationToken ct = default) =>
        Read<DeactivateClientResult>(await RequestAsync(FrameTypes.DeactivateClient, w => w.WriteString("clientId", clientId), ct));

    /// <summary>
    /// Registers an attachment and returns where to upload its bytes (an HTTP PUT to UploadUrl, or the resumable
    /// PATCH protocol of docs/MEDIA.md). AlreadyUploaded: the content is known, so there is nothing to upload.
    /// </summary>
    public async Task<CreateAttachmentResult> CreateAttachmentAsync(string sha256Hex, long size, string contentType, CancellationToken ct = default) =>
        Read<CreateAttachmentResult>(await RequestAsync(FrameTypes.CreateAttachment, w =>
        {
            w.WriteString("hash", sha256Hex);
            w.WriteNumber("size", size);
            w.WriteString("contentType", contentType);
        }, ct));

    /// <summary>Sends a raw JSON object with a fresh requestId added and returns the correlated answer (result or error).</summary>
    public async Task<JsonElement> RequestRawAsync(string type, Action<Utf8JsonWriter> fields, CancellationToken ct = default)
    {
        var requestId = NextRequestId();
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[requestId] = tcs;
        try
        {
            await SendAsync(Serialize(w =>
            {
                w.WriteString("type", type);
                w.WriteString("requestId", requestId);
                fields(w);
            }), ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            return await tcs.Task.WaitAsync(timeout.Token);
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    /// <summary>Sends text exactly as given (for protocol tests).</summary>
    public Task SendTextAsync(string text, CancellationToken ct = default) => SendAsync(Encoding.UTF8.GetBytes(text), ct);

    public Task AcknowledgeAsync(string deliveryId, CancellationToken ct = default) =>
        SendAsync(Serialize(w =>
        {
            w.WriteString("type", FrameTypes.Received);
            w.WriteString("deliveryId", deliveryId);
        }), ct);

    /// <summary>Drops the socket without a close handshake, as a crash or a lost network would.</summary>
    public void AbortConnection() => _socket?.Abort();

    private async Task<JsonElement> RequestAsync(string type, Action<Utf8JsonWriter> fields, CancellationToken ct)
    {
        var answer = await RequestRawAsync(type, fields, ct);
        if (answer.GetProperty("type").GetString() == FrameTypes.Error)
        {
            throw new NatterErrorException(answer.GetProperty("code").GetString() ?? "", answer.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "");
        }
        return answer;
    }

    private static T Read<T>(JsonElement element) => element.Deserialize<T>(NatterJson.Options)!;

    private string NextRequestId() => $"r{Interlocked.Increment(ref _requestCounter)}";

    private static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            var socket = _socket;
            if (socket is null || socket.State != WebSocketState.Open)
            {
                throw new NatterDisconnectedException("not connected");
            }
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            throw new NatterDisconnectedException(e.Message);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<ClientWebSocket> OpenAsync(CancellationToken ct)
    {
        var endpoint = _options.Endpoints[_endpointIndex % _options.Endpoints.Count];
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        // A peer that died without closing (a killed gateway behind a proxy or load balancer) is noticed by the
        // missing pong, not after the OS gives up on the TCP connection minutes later.
        socket.Options.KeepAliveTimeout = _options.KeepAliveInterval;
        // A gateway that accepts TCP but never answers must not hold the reconnect forever: the attempt is bounded,
        // and the next one goes to the next endpoint.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(_options.ConnectTimeout);
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + await _options.TokenProvider(attempt.Token));
            await socket.ConnectAsync(endpoint, attempt.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            _endpointIndex++;
            throw new TimeoutException($"connecting to {endpoint} took longer than {_options.ConnectTimeout}");
        }
        catch
        {
            socket.Dispose();
            _endpointIndex++;
            throw;
        }
        _socket = socket;
        OnConnected(); // §9: a new drain begins
        ConnectionCount++;
        _connected.TrySetResult();
        return socket;
    }

    private async Task RunAsync(ClientWebSocket socket)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            await ReceiveUntilClosedAsync(socket);
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            FailPendingRequests();
            if (_disposed.IsCancellationRequested || !_options.AutoReconnect
                || LastClose?.Code is { } code && TerminalCloseCodes.Contains(code))
            {
                _items.Writer.TryComplete();
                return;
            }
            while (true)
            {
                try
                {
                    await Task.Delay(Jitter(backoff), _disposed.Token);
                    socket = await OpenAsync(_disposed.Token);
                    backoff = TimeSpan.FromMilliseconds(100);
                    break;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
                {
                    _items.Writer.TryComplete();
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Whatever failed (refused, timed out, a token that could not be fetched), the next attempt
                    // goes to the next endpoint after a longer pause.
                    LastConnectError = e;
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                }
            }
        }
    }

    private static TimeSpan Jitter(TimeSpan backoff) => backoff * (0.5 + Random.Shared.NextDouble() / 2);

    private async Task ReceiveUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), _disposed.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    LastClose = new CloseInfo((int?)socket.CloseStatus, socket.CloseStatusDescription);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                    }
                    return;
                }
                await HandleFrameAsync(buffer.AsMemory(0, length));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or NatterDisconnectedException
                                   // Disposal aborts the socket (which disposes it) wherever this loop happens to be.
                                   || e is ObjectDisposedException && _disposed.IsCancellationRequested)
        {
            LastClose ??= new CloseInfo(null, e.Message);
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement.Clone();
        var type = root.GetProperty("type").GetString();
        var requestId = root.TryGetProperty("requestId", out var rid) && rid.ValueKind == JsonValueKind.String ? rid.GetString() : null;
        if (requestId is not null && _requests.TryGetValue(requestId, out var pending))
        {
            pending.TrySetResult(root);
            return;
        }
        switch (type)
        {
            case FrameTypes.NewMessage:
                var message = root.Deserialize<NewMessageFrame>(NatterJson.Options)!;
                await AcceptAsync(new ReceivedItem(FrameTypes.NewMessage, message.DeliveryId, message.Payload, null), message.Payload.MessageId);
                break;
            case FrameTypes.ChatUpdate:
                var update = root.Deserialize<ChatUpdateFrame>(NatterJson.Options)!;
                await AcceptAsync(new ReceivedItem(FrameTypes.ChatUpdate, update.DeliveryId, null, update.Payload), null);
                break;
            // Edits, deletions and reactions (§10).
            case MessageChangeFrameTypes.MessageEdited or MessageChangeFrameTypes.MessageDeleted or MessageChangeFrameTypes.Reaction:
                await AcceptAsync(ReadMessageChange(type, root), null);
                break;
            // Receipts and the caught-up marker (§9).
            case ReceiptFrameTypes.Receipt:
                var receipt = root.Deserialize<ReceiptFrame>(NatterJson.Options)!;
                await AcceptAsync(new ReceivedItem(ReceiptFrameTypes.Receipt, receipt.DeliveryId, null, null, Receipt: receipt.Payload), null);
                break;
            case ReceiptFrameTypes.InboxDrained:
                OnInboxDrained();
                break;
            case FrameTypes.Error:
                _errors.Writer.TryWrite(root.Deserialize<ErrorFrame>(NatterJson.Options)!);
                break;
            case FrameTypes.Typing: // §12: live-only, never acknowledged
                AcceptTyping(root);
                break;
            default:
                // An item of a type this client does not know yet is still acknowledged (PROTOCOL.md §7), or the server
                // would send it again every 30 s for 30 days; it reaches the application as a bare item.
                if (root.TryGetProperty("deliveryId", out var id) && id.ValueKind == JsonValueKind.String && type is not null)
                {
                    await AcceptAsync(new ReceivedItem(type, id.GetString()!, null, null), null);
                }
                break;
        }
    }

    /// <summary>An item seen before (a re-send after a lost ack, or a reconnect) is acknowledged again but not surfaced.</summary>
    private async Task AcceptAsync(ReceivedItem item, string? messageId)
    {
        var newDelivery = _seenDeliveries.TryAdd(item.DeliveryId, 0);
        var fresh = newDelivery && (messageId is null || _seenMessages.TryAdd(messageId, 0));
        if (fresh)
        {
            _items.Writer.TryWrite(item);
        }
        else if (newDelivery)
        {
            Interlocked.Increment(ref _duplicateMessages);
        }
        if (_options.AutoAcknowledge || !fresh)
        {
            try
            {
                await AcknowledgeAsync(item.DeliveryId, _disposed.Token);
            }
            catch (NatterDisconnectedException)
            {
                // Not acked: the server sends it again on the next connection, and it is deduplicated then.
            }
        }
    }

    private void FailPendingRequests()
    {
        foreach (var (id, tcs) in _requests)
        {
            tcs.TrySetException(new NatterDisconnectedException($"connection lost before request {id} was answered"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        var socket = _socket;
        if (socket is { State: WebSocketState.Open })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        socket?.Abort();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
        _sendLock.Dispose();
        _disposed.Dispose();
    }
}
