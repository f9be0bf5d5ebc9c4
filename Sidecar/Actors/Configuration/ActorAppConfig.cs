using System.Text.Json;
using Natter.Sidecar.Actors.Scheduling;

namespace Natter.Sidecar.Actors.Configuration;

/// <summary>What the app answered on GET /dapr/config: its actor types, their idle settings and drain settings.</summary>
public sealed record ActorAppConfig(
    IReadOnlyList<string> Entities,
    TimeSpan IdleTimeout,
    TimeSpan ScanInterval,
    IReadOnlyDictionary<string, TimeSpan> IdleTimeoutByType)
{
    // daprd's defaults when the app leaves them out.
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan DefaultScanInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultDrainOngoingCallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// drainOngoingCallTimeout: how long a host that loses an actor (placement change, shutdown) waits for its running
    /// turn before deactivating it anyway, and so how long the new owner's first turn may wait for that.
    /// </summary>
    public TimeSpan DrainOngoingCallTimeout { get; init; } = DefaultDrainOngoingCallTimeout;

    /// <summary>drainRebalancedActors (daprd's default: true). Read and reported; see Sidecar/README.md.</summary>
    public bool DrainRebalancedActors { get; init; } = true;

    public static ActorAppConfig None { get; } =
        new([], DefaultIdleTimeout, DefaultScanInterval, new Dictionary<string, TimeSpan>());

    public TimeSpan IdleTimeoutFor(string actorType) =>
        IdleTimeoutByType.TryGetValue(actorType, out var timeout) ? timeout : IdleTimeout;

    public static ActorAppConfig Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return None;
        }
        var entities = ReadEntities(root);
        var idle = ReadDuration(root, "actorIdleTimeout") ?? DefaultIdleTimeout;
        var scan = ReadDuration(root, "actorScanInterval") ?? DefaultScanInterval;
        var perType = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (root.TryGetProperty("entitiesConfig", out var configs) && configs.ValueKind == JsonValueKind.Array)
        {
            foreach (var config in configs.EnumerateArray())
            {
                if (ReadDuration(config, "actorIdleTimeout") is { } typeIdle)
                {
                    foreach (var type in ReadEntities(config))
                    {
                        perType[type] = typeIdle;
                    }
                }
            }
        }
        return new ActorAppConfig(entities, idle, scan, perType)
        {
            DrainOngoingCallTimeout = ReadDuration(root, "drainOngoingCallTimeout") ?? DefaultDrainOngoingCallTimeout,
            DrainRebalancedActors = !(root.TryGetProperty("drainRebalancedActors", out var drain) && drain.ValueKind == JsonValueKind.False),
        };
    }

    private static List<string> ReadEntities(JsonElement element) =>
        element.TryGetProperty("entities", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString()).OfType<string>().Where(s => s.Length > 0).ToList()
            : [];

    private static TimeSpan? ReadDuration(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && DaprDuration.TryParseDuration(value.GetString()!, out var duration) && duration > TimeSpan.Zero
            ? duration
            : null;
}
