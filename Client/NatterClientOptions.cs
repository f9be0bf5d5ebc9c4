namespace Natter.Client;

public sealed class NatterClientOptions
{
    /// <summary>Gateway WebSocket URLs (ws://host/ws). Reconnects go round-robin: a dead gateway is skipped.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>Called on every (re)connect: tokens expire, so the client asks for a fresh one each time.</summary>
    public required Func<CancellationToken, Task<string>> TokenProvider { get; init; }

    /// <summary>Send RECEIVED as soon as an item is handed to the application. Off: call AcknowledgeAsync yourself.</summary>
    public bool AutoAcknowledge { get; init; } = true;

    /// <summary>Reconnect with backoff when the socket drops (not after a refusal, replacement or deactivation).</summary>
    public bool AutoReconnect { get; init; } = true;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One connection attempt, token included, gives up after this and tries the next endpoint.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Ping interval; a pong missing for as long again counts as a dead connection.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);
}
