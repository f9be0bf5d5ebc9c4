namespace Natter.Sidecar.Components;

/// <summary>The component types this sidecar can build, each with the one version it implements; anything else stops start-up.</summary>
public static class ComponentTypes
{
    public const string StateRedis = "state.redis";
    public const string StateInMemory = "state.in-memory";
    public const string StatePostgres = "state.postgresql";
    public const string PubSubRedis = "pubsub.redis";
    public const string PubSubInMemory = "pubsub.in-memory";
    public const string BindingsCron = "bindings.cron";
    public const string BindingsHttp = "bindings.http";
    public const string SecretStoreLocalEnv = "secretstores.local.env";

    /// <summary>
    /// Type to version. state.postgresql is v2 only: v1 keeps JSONB values with xmin etags, a layout this sidecar
    /// does not write (see Sidecar/README.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Supported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StateRedis] = "v1",
        [StateInMemory] = "v1",
        [StatePostgres] = "v2",
        [PubSubRedis] = "v1",
        [PubSubInMemory] = "v1",
        [BindingsCron] = "v1",
        [BindingsHttp] = "v1",
        [SecretStoreLocalEnv] = "v1",
    };

    public static bool IsState(string type) => type.StartsWith("state.", StringComparison.Ordinal);
    public static bool IsPubSub(string type) => type.StartsWith("pubsub.", StringComparison.Ordinal);
}
