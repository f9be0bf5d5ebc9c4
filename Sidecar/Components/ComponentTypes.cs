namespace Natter.Sidecar.Components;

/// <summary>The component types this sidecar can build; any other type stops start-up.</summary>
public static class ComponentTypes
{
    public const string StateRedis = "state.redis";
    public const string StateInMemory = "state.in-memory";
    public const string PubSubRedis = "pubsub.redis";
    public const string PubSubInMemory = "pubsub.in-memory";
    public const string BindingsCron = "bindings.cron";
    public const string SecretStoreLocalEnv = "secretstores.local.env";

    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        StateRedis, StateInMemory, PubSubRedis, PubSubInMemory, BindingsCron, SecretStoreLocalEnv,
    };

    public static bool IsState(string type) => type.StartsWith("state.", StringComparison.Ordinal);
    public static bool IsPubSub(string type) => type.StartsWith("pubsub.", StringComparison.Ordinal);
}
