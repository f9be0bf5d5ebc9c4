using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Natter.ConnectionGateway.Inbox;
using Natter.ConnectionGateway.Receipts;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

/// <summary>What every connection uses, resolved once.</summary>
public sealed record ConnectionServices(
    CommandDispatcher Commands,
    DeviceInbox Inbox,
    PresenceRegistry Presence,
    DeviceRegistryStore Devices,
    ConnectionRegistry Registry,
    UserRateLimits UserLimits,
    IOptions<GatewayOptions> Options,
    TimeProvider Time,
    ILogger<ClientConnection> Logger,
    Acknowledgements Acknowledgements);

/// <summary>
/// One device's socket. The device inbox is the truth: on connect the connection drains it from tail to head, live
/// deliveries only say "entry n exists" (a gap before n is read from the store first, so the socket always sees inbox
/// order), and an entry is deleted only when the client sends RECEIVED for it. A delivery is trusted only below the
/// inbox head the connection has read from the store, so no event can move the cursor past what really exists.
/// Sends go through one writer loop; the cursor is guarded by a lock that is never held across store I/O.
/// </summary>
public sealed partial class ClientConnection(WebSocket socket, ClientIdentity identity, ConnectionServices services) : IDisposable
{
    private const int MaxAckBatch = 200;
    private const int ReceiveBufferBytes = 16 * 1024;
    // Acks wait here for the delete loop; when it is full the receive loop waits, and TCP pushes back on the client.
    private readonly Channel<long> _acks = Channel.CreateBounded<long>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
    // Commands, and the answers to frames that never become commands, in arrival order: answers leave in request order.
    private readonly Channel<CommandItem> _commands = Channel.CreateBounded<CommandItem>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    // Unbounded so frames can be queued under the cursor lock (queue order == inbox order); bounded in bytes instead:
    // a client that stops reading is cut off at Gateway:MaxQueuedBytes.
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private long _queuedBytes;
    private readonly Lock _cursorLock = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TokenBucketRateLimiter _commandLimiter = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = services.Options.Value.CommandBurst,
        TokensPerPeriod = services.Options.Value.CommandsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        // Refilled on use (in proportion to the time since the last refill), not by a timer: one timer per socket
        // would cost 50,000 timer callbacks a second on a gateway holding 50,000 idle sockets.
        AutoReplenishment = false,
    });
    private InboxCursor _cursor = new(0);
    private long _knownHead; // the highest inbox head read from the store; guarded by _cursorLock
    private long _persistedTail;
    private long _lastTouched;
    // Set once the connect has read the inbox bounds; upkeep leaves the socket alone before that, and after it closes.
    private volatile bool _ready;
    private CancellationToken _lifetime = new(canceled: true);
    private ActivityContext _connectionTrace;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "bye";

    public ClientIdentity Identity { get; } = identity;

    public DeviceAddress Device => Identity.Device;

    public string ConnectionId { get; } = Guid.NewGuid().ToString("N");

    private GatewayOptions Options => services.Options.Value;

    /// <summary>Ends the connection with this close code: queued frames are flushed first, then the close frame is sent.</summary>
    public void RequestClose(int code, string reason)
    {
        lock (_cursorLock)
        {
            if (_closing.IsCancellationRequested)
            {
                return;
            }
            _closeStatus = (WebSocketCloseStatus)code;
            _closeReason = reason;
        }
        _closing.Cancel();
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        // Background loops stop when the connection is asked to close; the socket's own reads and writes stop only when
        // the close handshake is done or given up on, so the client always sees our close code.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        using var socketLife = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        // A command already running when the connection is asked to close may finish (bounded by CommandGrace), so its
        // answer goes out before the close frame instead of an outcome the client would have to guess.
        using var dispatch = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var graceOnClose = _closing.Token.Register(() => dispatch.CancelAfter(Options.CommandGrace));
        var ct = stop.Token;
        _lifetime = ct;
        GatewayTelemetry.OpenConnections.Add(1);
        services.Registry.Add(this);
        var writer = WriteLoopAsync(socketLife.Token);
        var acknowledging = AcknowledgeLoopAsync();
        Task? drain = null, commands = null, receive = null;
        try
        {
            await services.Presence.ClaimAsync(Device, new Presence(Options.InstanceId, ConnectionId), Options.PresenceTtl, ct);
            var (tail, head) = await services.Inbox.BoundsAsync(Device, ct);
            lock (_cursorLock)
            {
                _cursor = new InboxCursor(tail);
                _persistedTail = tail;
                _knownHead = head;
            }
            _lastTouched = services.Time.GetTimestamp();
            _ready = true;
            GatewayTelemetry.InboxDepth.Record(head - tail);
            // Receive runs alongside the drain: a client acks while it is still being fed.
            drain = DrainAsync(head, ct); // then inboxDrained (§9)
            // The upgrade request's trace covers the connect and the first drain. Each command and each renewal after
            // that is a trace of its own, linked to the connection: otherwise one trace would grow for as long as the
            // socket lives, and a sendMessage could not be found in it.
            _connectionTrace = Activity.Current?.Context ?? default;
            Activity.Current = null;
            commands = CommandLoopAsync(ct, dispatch.Token);
            receive = ReceiveLoopAsync(socketLife.Token);
            await Task.WhenAny(receive, Task.Delay(Timeout.Infinite, ct));
            if (receive.IsCompletedSuccessfully)
            {
                // The client is done sending: what it sent before it closed still runs to the end.
                _commands.Writer.TryComplete();
                await commands;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            // The peer vanished; the inbox keeps everything unacked for its next connection.
        }
        catch (Exception e)
        {
            services.Logger.LogError(e, "Connection of device {Device} failed", Device);
            SetCloseStatus(WebSocketCloseStatus.InternalServerError, "internal error");
        }
        finally
        {
            await stop.CancelAsync();
            services.Registry.Remove(this);
            GatewayTelemetry.OpenConnections.Add(-1);
            _ready = false;
            await Quietly(drain);
            await Quietly(commands);
            AnswerUnstartedCommands();
            await CloseSocketAsync(writer, receive, socketLife);
            // Acks already received are applied before the tail is persisted past them.
            _acks.Writer.TryComplete();
            await Quietly(acknowledging);
            await FarewellAsync();
        }
    }

    /// <summary>
    /// A live delivery from pub/sub: entry n of this device exists (and so does everything below it). A null entry is
    /// one the event's word is not good for (<see cref="Deliveries.DeliverySubscription"/>): it is read from the inbox.
    /// </summary>
    public async Task DeliverAsync(long n, InboxEntry? entry, CancellationToken ct)
    {
        using var activity = StartDeliveryActivity(entry);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closing.Token);
        if (!await IsBelowHeadAsync(n, linked.Token))
        {
            services.Logger.LogWarning("Delivery {N} for device {Device} is at or above its inbox head; ignored", n, Device);
            return;
        }
        if (entry is null)
        {
            await CatchUpAsync(n + 1, linked.Token);
            return;
        }
        await CatchUpAsync(n, linked.Token);
        await SendIfNewAsync(n, entry, linked.Token);
    }

    /// <summary>Whether a delivery of entry n must learn the store's head first: a real one is at the new head, so usually.</summary>
    public bool IsAtOrAboveKnownHead(long n)
    {
        lock (_cursorLock)
        {
            return n >= _knownHead;
        }
    }

    /// <summary>This device's inbox head as read from the store, by a caller that read many devices' heads in one go.</summary>
    public void ObserveHead(long head)
    {
        lock (_cursorLock)
        {
            _knownHead = Math.Max(_knownHead, head);
        }
    }

    /// <summary>True when entry n is below the store's inbox head: real deliveries always are, since they follow the commit.</summary>
    private async Task<bool> IsBelowHeadAsync(long n, CancellationToken ct)
    {
        lock (_cursorLock)
        {
            if (n < _knownHead)
            {
                return true;
            }
        }
        var head = await services.Inbox.HeadAsync(Device, ct);
        lock (_cursorLock)
        {
            _knownHead = Math.Max(_knownHead, head);
            return n < _knownHead;
        }
    }

    private static Activity? StartDeliveryActivity(InboxEntry? entry) =>
        ActivityContext.TryParse(entry?.TraceParent, null, out var parent)
            ? GatewayTelemetry.Source.StartActivity("gateway.deliver", ActivityKind.Consumer, parent)
            : GatewayTelemetry.Source.StartActivity("gateway.deliver", ActivityKind.Consumer);

    /// <summary>Sends every entry below upTo (never past the known head) not yet looked at, in order, page by page.</summary>
    private async Task CatchUpAsync(long upTo, CancellationToken ct)
    {
        while (true)
        {
            long from, to;
            lock (_cursorLock)
            {
                from = _cursor.Next;
                to = Math.Min(Math.Min(upTo, _knownHead), from + DeviceInbox.PageSize);
            }
            if (from >= to)
            {
                return;
            }
            var page = await services.Inbox.ReadAsync(Device, from, to, ct);
            foreach (var (n, entry) in page)
            {
                if (entry is null)
                {
                    lock (_cursorLock)
                    {
                        _cursor.Done(n); // acked earlier or expired
                    }
                }
                else
                {
                    await SendIfNewAsync(n, entry, ct);
                }
            }
        }
    }

    private Task SendIfNewAsync(long n, InboxEntry entry, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_cursorLock)
        {
            if (_cursor.IsDone(n) || _cursor.IsPending(n))
            {
                return Task.CompletedTask;
            }
            _cursor.Sent(n, services.Time.GetTimestamp());
            Enqueue(Frame(n, entry));
        }
        if (entry.Message is { } message)
        {
            GatewayTelemetry.MessagesDelivered.Add(1);
            GatewayTelemetry.DeliveryLatency.Record(services.Time.GetUtcNow().ToUnixTimeMilliseconds() - message.Timestamp);
        }
        return Task.CompletedTask;
    }

    private void Enqueue(byte[] frame)
    {
        if (Interlocked.Add(ref _queuedBytes, frame.Length) > Options.MaxQueuedBytes)
        {
            RequestClose((int)WebSocketCloseStatus.PolicyViolation, "the client does not read its frames");
            return;
        }
        _outbound.Writer.TryWrite(frame);
    }

    private byte[] Frame(long n, InboxEntry entry)
    {
        var deliveryId = DeliveryIds.Format(Identity.ClientId, n);
        RememberSent(n, entry); // receipts (§9): every item sent passes here
        if (entry.Kind == InboxEntryKinds.Receipt && entry.Receipt is not null)
        {
            return JsonSerializer.SerializeToUtf8Bytes(new ReceiptFrame(deliveryId, entry.Receipt), NatterJson.Options);
        }
        // Edits, deletions and reactions (§10).
        if (MessageChangeFrames.Serialize(deliveryId, entry) is { } change)
        {
            return change;
        }
        return entry.Kind == InboxEntryKinds.ChatUpdate && entry.ChatUpdate is not null
            ? JsonSerializer.SerializeToUtf8Bytes(new ChatUpdateFrame(deliveryId, entry.ChatUpdate), NatterJson.Options)
            : JsonSerializer.SerializeToUtf8Bytes(new NewMessageFrame(deliveryId, entry.Message!), NatterJson.Options);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // An idle socket holds no receive buffer: a zero-byte read waits for the next frame without one, and a
            // pooled buffer is borrowed only while that frame is read and parsed (the parsed frame owns a copy).
            var next = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
            if (next.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (next.EndOfMessage)
            {
                await HandleFrameAsync(ReadOnlyMemory<byte>.Empty, ct); // an empty frame: answered bad_json like any non-JSON
                continue;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
            try
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length || length >= Options.MaxFrameBytes)
                    {
                        if (length >= Options.MaxFrameBytes)
                        {
                            RequestClose(CloseCodes.MessageTooBig, $"frames are at most {Options.MaxFrameBytes} bytes");
                            return;
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, Options.MaxFrameBytes));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, Options.MaxFrameBytes) - length), ct);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (_closing.IsCancellationRequested)
                {
                    continue; // closing: frames that arrive during the close handshake are read and dropped
                }
                await HandleFrameAsync(buffer.AsMemory(0, length), ct);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var (frame, error) = FrameReader.Parse(bytes);
        if (error is not null)
        {
            await _commands.Writer.WriteAsync(CommandItem.Answer(error), ct);
            return;
        }
        if (frame!.Type == FrameTypes.Received)
        {
            await AcknowledgeAsync(frame, ct);
            return;
        }
        _commandLimiter.TryReplenish();
        using var lease = _commandLimiter.AttemptAcquire();
        using var userLease = lease.IsAcquired ? services.UserLimits.Acquire(Identity.UserId) : null;
        if (!lease.IsAcquired || userLease?.IsAcquired != true)
        {
            await _commands.Writer.WriteAsync(CommandItem.Answer(new ErrorFrame(frame.RequestId, ErrorCodes.RateLimited,
                lease.IsAcquired
                    ? $"at most {Options.UserCommandsPerSecond} commands per second per user"
                    : $"at most {Options.CommandsPerSecond} commands per second per connection")), ct);
            return;
        }
        await _commands.Writer.WriteAsync(CommandItem.Run(frame), ct);
    }

    /// <summary>
    /// Runs the client's commands one at a time, in the order sent (two sendMessages to one chat keep their order),
    /// apart from the receive loop: acks and further frames are read while a slow command is still running.
    /// </summary>
    /// <remarks>
    /// No command starts once the connection is closing (<paramref name="ct"/>); the one running then finishes under
    /// <paramref name="dispatchCt"/>, which allows it CommandGrace.
    /// </remarks>
    private async Task CommandLoopAsync(CancellationToken ct, CancellationToken dispatchCt)
    {
        while (await _commands.Reader.WaitToReadAsync(ct))
        {
            while (!ct.IsCancellationRequested && _commands.Reader.TryRead(out var item))
            {
                if (item.Frame is not { } frame)
                {
                    await ReplyAsync(item.Reply!, dispatchCt);
                    continue;
                }
                using var activity = GatewayTelemetry.Source.StartActivity("gateway." + (frame.Type.Length <= 32 ? frame.Type : "command"),
                    ActivityKind.Server, parentContext: default, links: _connectionTrace == default ? null : [new ActivityLink(_connectionTrace)]);
                var reply = await services.Commands.DispatchAsync(Identity, frame, dispatchCt);
                await ReplyAsync(reply, dispatchCt);
                if (reply is DeactivateClientResult deactivated && deactivated.ClientId == Identity.ClientId)
                {
                    // The caller retired its own device: the answer goes out, then the socket closes as any deactivated one does.
                    RequestClose(CloseCodes.ClientDeactivated, "client deactivated");
                }
            }
        }
    }

    /// <summary>
    /// Commands still queued when the connection closes were never run: each gets `unavailable`, so a client resends
    /// it (with its clientMessageId) on its next connection instead of waiting for an answer that cannot come.
    /// </summary>
    private void AnswerUnstartedCommands()
    {
        while (_commands.Reader.TryRead(out var item))
        {
            var answer = item.Frame is { } frame
                ? new ErrorFrame(frame.RequestId, ErrorCodes.Unavailable, "the connection closed before this command ran; send it again")
                : item.Reply!;
            Enqueue(JsonSerializer.SerializeToUtf8Bytes(answer, answer.GetType(), NatterJson.Options));
        }
    }

    private async Task AcknowledgeAsync(ParsedFrame frame, CancellationToken ct)
    {
        var (ack, error) = FrameReader.Bind<ReceivedCommand>(frame);
        if (error is not null)
        {
            await _commands.Writer.WriteAsync(CommandItem.Answer(error), ct);
            return;
        }
        if (!DeliveryIds.TryParse(ack!.DeliveryId, out var clientId, out var n) || clientId != Identity.ClientId)
        {
            await _commands.Writer.WriteAsync(CommandItem.Answer(FrameReader.Invalid(frame, "deliveryId must be one this client received")), ct);
            return;
        }
        lock (_cursorLock)
        {
            // Only an item this connection sent and still waits for is acknowledged; anything else (a repeat, an id never
            // sent) is ignored, so acks cannot grow the cursor or delete what the client never saw.
            if (!_cursor.IsPending(n) || !_cursor.Acknowledging(n))
            {
                return;
            }
        }
        await _acks.Writer.WriteAsync(n, ct);
    }

    /// <summary>
    /// Deletes acknowledged entries, as many at a time as arrived meanwhile (and with other sockets' acks, see
    /// <see cref="Acknowledgements"/>): a client that just received 99 group messages acks them in one store call, not
    /// 99. The entry is deleted before the cursor counts it done, so a failed delete means the item comes again, never
    /// that it is lost. The loop outlives the socket: an ack that
    /// reached us is honoured even if the client hangs up right after it.
    /// </summary>
    private async Task AcknowledgeLoopAsync()
    {
        var batch = new List<long>(MaxAckBatch);
        while (await _acks.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxAckBatch && _acks.Reader.TryRead(out var n))
            {
                batch.Add(n);
            }
            try
            {
                // Committed with the other sockets' acks; the delivered reports (§9) go first, so a crash re-sends and re-reports.
                await services.Acknowledgements.AcknowledgeAsync(Device, [.. batch], DeliveredAmong(batch));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                services.Logger.LogWarning(e, "Deleting {Count} acknowledged entries of device {Device} failed; they will be sent again",
                    batch.Count, Device);
                lock (_cursorLock)
                {
                    foreach (var n in batch)
                    {
                        _cursor.AcknowledgeFailed(n);
                    }
                }
                continue;
            }
            lock (_cursorLock)
            {
                foreach (var n in batch)
                {
                    _cursor.Done(n);
                }
            }
            GatewayTelemetry.ItemsAcknowledged.Add(batch.Count);
        }
    }

    private Task ReplyAsync(object frame, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Enqueue(JsonSerializer.SerializeToUtf8Bytes(frame, frame.GetType(), NatterJson.Options));
        return Task.CompletedTask;
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        await foreach (var frame in _outbound.Reader.ReadAllAsync(ct))
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
            Interlocked.Add(ref _queuedBytes, -frame.Length);
        }
    }

    /// <summary>
    /// The per-socket part of upkeep, run by <see cref="ConnectionUpkeep"/> every PresenceRenewal after it renewed this
    /// socket's lease and read, for all sockets at once, whether the device is still registered and its inbox head:
    /// a deactivation elsewhere closes this socket with 4003; lastSeen is recorded now and then; entries whose pub/sub
    /// event was lost are picked up; unacked items are sent again; the tail moves.
    /// </summary>
    public async Task UpkeepAsync(bool active, long head)
    {
        if (!_ready || _lifetime.IsCancellationRequested)
        {
            return;
        }
        var ct = _lifetime;
        try
        {
            if (!active)
            {
                RequestClose(CloseCodes.ClientDeactivated, "client deactivated");
                return;
            }
            if (services.Time.GetElapsedTime(_lastTouched) >= Options.LastSeenInterval)
            {
                await services.Devices.TouchAsync(Device, ct);
                _lastTouched = services.Time.GetTimestamp();
            }
            lock (_cursorLock)
            {
                _knownHead = Math.Max(_knownHead, head);
            }
            await CatchUpAsync(head, ct);
            MarkDrained(); // §9: in case the connect drain failed
            await ResendOverdueAsync(ct);
            await PersistTailAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            services.Logger.LogWarning(e, "Upkeep of device {Device} failed; retrying next tick", Device);
        }
    }

    /// <summary>This socket's presence lease: which instance and which connection hold the device.</summary>
    public Presence Lease => new(Options.InstanceId, ConnectionId);

    private async Task ResendOverdueAsync(CancellationToken ct)
    {
        IReadOnlyList<long> overdue;
        lock (_cursorLock)
        {
            overdue = _cursor.Overdue(services.Time.GetTimestamp(),
                (long)(Options.RedeliveryTimeout.TotalSeconds * services.Time.TimestampFrequency));
        }
        foreach (var n in overdue)
        {
            foreach (var (_, entry) in await services.Inbox.ReadAsync(Device, n, n + 1, ct))
            {
                lock (_cursorLock)
                {
                    if (!_cursor.IsPending(n))
                    {
                        continue;
                    }
                    if (entry is null)
                    {
                        _cursor.Done(n);
                        continue;
                    }
                    _cursor.Sent(n, services.Time.GetTimestamp());
                    Enqueue(Frame(n, entry));
                }
            }
        }
    }

    private async Task PersistTailAsync(CancellationToken ct)
    {
        long floor;
        lock (_cursorLock)
        {
            floor = _cursor.AckFloor;
        }
        if (floor > _persistedTail)
        {
            await services.Inbox.AdvanceTailAsync(Device, floor, ct);
            _persistedTail = floor;
        }
    }

    private void SetCloseStatus(WebSocketCloseStatus status, string reason)
    {
        lock (_cursorLock)
        {
            _closeStatus = status;
            _closeReason = reason;
        }
    }

    /// <summary>
    /// Flushes what is queued (a last answer, an error frame), sends our close frame with its code, and waits briefly
    /// for the client's close in reply; a client that does not answer is cut off.
    /// </summary>
    private async Task CloseSocketAsync(Task writer, Task? receive, CancellationTokenSource socketLife)
    {
        _outbound.Writer.TryComplete();
        var flushed = await Finishes(writer, TimeSpan.FromSeconds(2));
        if (flushed && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseOutputAsync(_closeStatus, _closeReason, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        if (receive is not null && !await Finishes(receive, TimeSpan.FromSeconds(2)))
        {
            await socketLife.CancelAsync();
        }
        await socketLife.CancelAsync();
        await Quietly(writer);
        await Quietly(receive);
    }

    private static async Task<bool> Finishes(Task task, TimeSpan within)
    {
        try
        {
            await task.WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true; // it ended, by failing
        }
    }

    /// <summary>After the socket: the tail moves past what was acked, presence goes, lastSeen is recorded.</summary>
    private async Task FarewellAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await PersistTailAsync(timeout.Token);
            await services.Presence.ReleaseAsync(Device, ConnectionId, timeout.Token);
            await services.Devices.TouchAsync(Device, timeout.Token);
        }
        catch (Exception e)
        {
            services.Logger.LogWarning(e, "Cleanup after device {Device} disconnected failed; the presence lease expires by itself", Device);
        }
    }

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Loops end by cancellation or a dead socket when the connection closes; nothing is left to do with them.
        }
    }

    public void Dispose()
    {
        _closing.Dispose();
        _commandLimiter.Dispose();
    }

    /// <summary>A command to run, or an answer that must leave in its place in the order of the client's frames.</summary>
    private sealed record CommandItem(ParsedFrame? Frame, object? Reply)
    {
        public static CommandItem Run(ParsedFrame frame) => new(frame, null);

        public static CommandItem Answer(object reply) => new(null, reply);
    }
}
