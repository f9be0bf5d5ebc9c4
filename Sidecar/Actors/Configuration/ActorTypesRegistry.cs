namespace Natter.Sidecar.Actors.Configuration;

/// <summary>
/// The actor types this sidecar's app hosts, once /dapr/config has answered. /v1.0/metadata lists them, and
/// placement registers this host for them.
/// </summary>
public sealed class ActorTypesRegistry
{
    private readonly TaskCompletionSource<ActorAppConfig> _config = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the app's actor configuration is known (an app without actors gives no types).</summary>
    public Task<ActorAppConfig> WhenKnown => _config.Task;

    /// <summary>The hosted types so far: empty until the app has answered.</summary>
    public IReadOnlyList<string> ActorTypes => _config.Task.IsCompletedSuccessfully ? _config.Task.Result.Entities : [];

    /// <summary>The app's configuration, or daprd's defaults before it answered.</summary>
    public ActorAppConfig Config => _config.Task.IsCompletedSuccessfully ? _config.Task.Result : ActorAppConfig.None;

    /// <summary>Counts of active actors per type, filled in by the runtime for /v1.0/metadata.</summary>
    public Func<IReadOnlyDictionary<string, int>> ActiveCounts { get; set; } = () => new Dictionary<string, int>();

    public bool Hosts(string actorType) => ActorTypes.Contains(actorType, StringComparer.Ordinal);

    internal void Publish(ActorAppConfig config) => _config.TrySetResult(config);
}
