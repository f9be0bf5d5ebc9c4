namespace Natter.ConnectionGateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>This instance's name; its deliveries arrive on topic deliveries-{InstanceId}.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary>Largest accepted client frame. A 64 KiB message with worst-case JSON escaping fits; larger closes with 1009.</summary>
    public int MaxFrameBytes { get; set; } = 512 * 1024;

    /// <summary>An unacknowledged item is sent again after this long while the socket stays open.</summary>
    public TimeSpan RedeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Presence lease: renewed every PresenceRenewal, gone PresenceTtl after a crash.</summary>
    public TimeSpan PresenceTtl { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan PresenceRenewal { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sockets whose upkeep shares one lease transaction and two bulk reads (see ConnectionUpkeep).</summary>
    public int UpkeepBatchSize { get; set; } = 500;

    /// <summary>Token bucket per connection: commands per second (RECEIVED acks are not counted).</summary>
    public int CommandsPerSecond { get; set; } = 100;

    public int CommandBurst { get; set; } = 200;

    /// <summary>Token bucket per user across all of that user's sockets on this instance (up to 3 devices).</summary>
    public int UserCommandsPerSecond { get; set; } = 150;

    public int UserCommandBurst { get; set; } = 300;

    /// <summary>Bytes queued for a socket that the client has not read yet; past this, the socket is closed (1008).</summary>
    public long MaxQueuedBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>A connected device's lastSeen is written this often, so the idle sweep never retires a live device.</summary>
    public TimeSpan LastSeenInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Ping interval, and how long a pong may take before the socket is considered dead and closed.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// On SIGTERM the sockets are closed (1001) at moments spread evenly over this window, so their clients do not all
    /// reconnect to the other gateways at once.
    /// </summary>
    public TimeSpan DrainWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a command already running when its connection closes may take to finish and answer.</summary>
    public TimeSpan CommandGrace { get; set; } = TimeSpan.FromSeconds(10);
}
