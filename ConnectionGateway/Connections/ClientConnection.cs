using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Natter.ConnectionGateway.Devices;
using Natter.ConnectionGateway.Inbox;
using Natter.ConnectionGateway.Presence;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>What every connection uses, resolved once.</summary>
public sealed record ConnectionServices(
    CommandDispatcher Commands,
    InboxStore Inbox,
    PresenceRegistry Presence,
    DeviceRegistryStore Devices,
    ConnectionRegistry Registry,
    IOptions<GatewayOptions> Options,
    TimeProvider Time,
    ILogger<ClientConnection> Logger);

/// <summary>
/// One client's socket. The device inbox is the truth: on connect the connection drains it from tail to head, live
/// deliveries only say "entry n exists" (a gap before n is read from the store first, so the socket always sees inbox
/// order), and an entry is deleted only when the client sends RECEIVED for it. Sends go through one writer loop;
/// the cursor is guarded by a lock that is never held across store I/O, so acks keep flowing during a long drain.
/// </summary>
public sealed class ClientConnection(WebSocket socket, ClientIdentity identity, ConnectionServices services) : IDisposable
{
    // Unbounded so frames can be queued under the cursor lock (queue order == inbox order); a client that stops
    // reading is cut off at MaxQueuedFrames instead.
    private const int MaxQueuedFrames = 50_000;
    private const int MaxAckBatch = 200;
    private readonly Channel<long> _acks = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    // The rate limit keeps this short; when full, the receive loop waits, and TCP pushes back on the client.
    private readonly Channel<ParsedFrame> _commands = Channel.CreateBounded<ParsedFrame>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private int _queuedFrames; // the single-reader channel cannot count
    private readonly Lock _cursorLock = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TokenBucketRateLimiter _commandLimiter = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = services.Options.Value.CommandBurst,
        TokensPerPeriod = services.Options.Value.CommandsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });
    private InboxCursor _cursor = new(0);
    private long _persistedTail;
    private ActivityContext _connectionTrace;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "bye";

    public ClientIdentity Identity { get; } = identity;

    public string ConnectionId { get; } = Guid.NewGuid().ToString("N");

    private GatewayOptions Options => services.Options.Value;

    public void RequestClose(int code, string reason)
    {
        _closeStatus = (WebSocketCloseStatus)code;
        _closeReason = reason;
        _closing.Cancel();
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        var ct = linked.Token;
        GatewayTelemetry.OpenConnections.Add(1);
        services.Registry.Add(this);
        var writer = WriteLoopAsync(ct);
        var acknowledging = AcknowledgeLoopAsync();
        Task? drain = null, upkeep = null, commands = null;
        try
        {
            await services.Presence.ClaimAsync(Identity.ClientId, ConnectionId, ct);
            var (tail, head) = await services.Inbox.BoundsAsync(Identity.ClientId, ct);
            lock (_cursorLock)
            {
                _cursor = new InboxCursor(tail);
                _persistedTail = tail;
            }
            GatewayTelemetry.InboxDepth.Record(head - tail);
            // Receive runs alongside the drain: a client acks while it is still being fed.
            drain = CatchUpAsync(head, ct);
            // The upgrade request's trace covers the connect and the first drain. Each command and each renewal after
            // that is a trace of its own, linked to the connection: otherwise one trace would grow for as long as the
            // socket lives, and a sendMessage could not be found in it.
            _connectionTrace = Activity.Current?.Context ?? default;
            Activity.Current = null;
            upkeep = UpkeepLoopAsync(ct);
            commands = CommandLoopAsync(ct);
            await ReceiveLoopAsync(ct);
            // The client is done sending: what it sent before it closed still runs to the end.
            _commands.Writer.TryComplete();
            await commands;
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
            services.Logger.LogError(e, "Connection of client {ClientId} failed", Identity.ClientId);
            _closeStatus = WebSocketCloseStatus.InternalServerError;
            _closeReason = "internal error";
        }
        finally
        {
            await linked.CancelAsync();
            services.Registry.Remove(this);
            GatewayTelemetry.OpenConnections.Add(-1);
            await Quietly(writer);
            await Quietly(drain);
            await Quietly(upkeep);
            await Quietly(commands);
            await CloseSocketAsync();
            // Acks already received are applied before the tail is persisted past them.
            _acks.Writer.TryComplete();
            await Quietly(acknowledging);
            await FarewellAsync();
        }
    }

    /// <summary>A live delivery from pub/sub: entry n of this device exists (and so does everything below it).</summary>
    public async Task DeliverAsync(long n, InboxEntry entry, CancellationToken ct)
    {
        using var activity = StartDeliveryActivity(entry);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closing.Token);
        await CatchUpAsync(n, linked.Token);
        await SendIfNewAsync(n, entry, linked.Token);
    }

    private static Activity? StartDeliveryActivity(InboxEntry entry) =>
        ActivityContext.TryParse(entry.TraceParent, null, out var parent)
            ? GatewayTelemetry.Source.StartActivity("gateway.deliver", ActivityKind.Consumer, parent)
            : GatewayTelemetry.Source.StartActivity("gateway.deliver", ActivityKind.Consumer);

    /// <summary>Sends every entry below upTo not yet looked at, in order, page by page.</summary>
    private async Task CatchUpAsync(long upTo, CancellationToken ct)
    {
        while (true)
        {
            long from;
            lock (_cursorLock)
            {
                from = _cursor.Next;
            }
            if (from >= upTo)
            {
                return;
            }
            var to = Math.Min(upTo, from + InboxStore.PageSize);
            var page = await services.Inbox.ReadAsync(Identity.ClientId, from, to, ct);
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
        if (Interlocked.Increment(ref _queuedFrames) > MaxQueuedFrames)
        {
            RequestClose((int)WebSocketCloseStatus.PolicyViolation, "the client does not read its frames");
            return;
        }
        _outbound.Writer.TryWrite(frame);
    }

    private byte[] Frame(long n, InboxEntry entry)
    {
        var deliveryId = DeliveryIds.Format(Identity.ClientId, n);
        return entry.Kind == InboxEntryKinds.ChatUpdate && entry.ChatUpdate is not null
            ? JsonSerializer.SerializeToUtf8Bytes(new ChatUpdateFrame(deliveryId, entry.ChatUpdate), NatterJson.Options)
            : JsonSerializer.SerializeToUtf8Bytes(new NewMessageFrame(deliveryId, entry.Message!), NatterJson.Options);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (!ct.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= Options.MaxFrameBytes)
                    {
                        RequestClose(CloseCodes.MessageTooBig, $"frames are at most {Options.MaxFrameBytes} bytes");
                        return;
                    }
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, Options.MaxFrameBytes));
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            await HandleFrameAsync(buffer.AsMemory(0, length), ct);
        }
    }

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var (frame, error) = FrameReader.Parse(bytes);
        if (error is not null)
        {
            await ReplyAsync(error, ct);
            return;
        }
        if (frame!.Type == FrameTypes.Received)
        {
            await AcknowledgeAsync(frame, ct);
            return;
        }
        using var lease = _commandLimiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            await ReplyAsync(new ErrorFrame(frame.RequestId, ErrorCodes.RateLimited,
                $"at most {Options.CommandsPerSecond} commands per second"), ct);
            return;
        }
        await _commands.Writer.WriteAsync(frame, ct);
    }

    /// <summary>
    /// Runs the client's commands one at a time, in the order sent (two sendMessages to one chat keep their order),
    /// apart from the receive loop: acks and further frames are read while a slow command is still running.
    /// </summary>
    private async Task CommandLoopAsync(CancellationToken ct)
    {
        await foreach (var frame in _commands.Reader.ReadAllAsync(ct))
        {
            using var activity = GatewayTelemetry.Source.StartActivity("gateway." + (frame.Type.Length <= 32 ? frame.Type : "command"),
                ActivityKind.Server, parentContext: default, links: _connectionTrace == default ? null : [new ActivityLink(_connectionTrace)]);
            await ReplyAsync(await services.Commands.DispatchAsync(Identity, frame, ct), ct);
        }
    }

    private async Task AcknowledgeAsync(ParsedFrame frame, CancellationToken ct)
    {
        var (ack, error) = FrameReader.Bind<ReceivedCommand>(frame);
        if (error is not null)
        {
            await ReplyAsync(error, ct);
            return;
        }
        if (!DeliveryIds.TryParse(ack!.DeliveryId, out var clientId, out var n) || clientId != Identity.ClientId)
        {
            await ReplyAsync(FrameReader.Invalid(frame, "deliveryId must be one this client received"), ct);
            return;
        }
        _acks.Writer.TryWrite(n);
    }

    /// <summary>
    /// Deletes acknowledged entries, as many per state transaction as arrived meanwhile: a client that just received
    /// 99 group messages acks them in one store call, not 99. The entry is deleted before the cursor counts it done,
    /// so a failed delete means the item comes again, never that it is lost. The loop outlives the socket: an ack that
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
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await services.Inbox.DeleteManyAsync(Identity.ClientId, batch, timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                services.Logger.LogWarning(e, "Deleting {Count} acknowledged entries of client {ClientId} failed; they will be sent again",
                    batch.Count, Identity.ClientId);
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
            Interlocked.Decrement(ref _queuedFrames);
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
    }

    /// <summary>Renews presence, picks up entries whose pub/sub event was lost, re-sends unacked items, moves the tail.</summary>
    private async Task UpkeepLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.PresenceRenewal, services.Time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await services.Presence.ClaimAsync(Identity.ClientId, ConnectionId, ct);
                await CatchUpAsync(await services.Inbox.HeadAsync(Identity.ClientId, ct), ct);
                await ResendOverdueAsync(ct);
                await PersistTailAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                services.Logger.LogWarning(e, "Upkeep of client {ClientId} failed; retrying next tick", Identity.ClientId);
            }
        }
    }

    private async Task ResendOverdueAsync(CancellationToken ct)
    {
        IReadOnlyList<long> overdue;
        lock (_cursorLock)
        {
            overdue = _cursor.Overdue(services.Time.GetTimestamp(),
                (long)(Options.RedeliveryTimeout.TotalSeconds * services.Time.TimestampFrequency));
        }
        foreach (var (n, entry) in await ReadManyAsync(overdue, ct))
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

    private async Task<IReadOnlyList<(long N, InboxEntry? Entry)>> ReadManyAsync(IReadOnlyList<long> ns, CancellationToken ct)
    {
        var result = new List<(long, InboxEntry?)>(ns.Count);
        foreach (var n in ns)
        {
            result.AddRange(await services.Inbox.ReadAsync(Identity.ClientId, n, n + 1, ct));
        }
        return result;
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
            await services.Inbox.AdvanceTailAsync(Identity.ClientId, floor, ct);
            _persistedTail = floor;
        }
    }

    private async Task CloseSocketAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
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
    }

    /// <summary>After the socket: the tail moves past what was acked, presence goes, lastSeen is recorded.</summary>
    private async Task FarewellAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await PersistTailAsync(timeout.Token);
            await services.Presence.ReleaseAsync(Identity.ClientId, ConnectionId, timeout.Token);
            await services.Devices.TouchAsync(Identity.UserId, Identity.ClientId, timeout.Token);
        }
        catch (Exception e)
        {
            services.Logger.LogWarning(e, "Cleanup after client {ClientId} disconnected failed; the presence lease expires by itself", Identity.ClientId);
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
}
