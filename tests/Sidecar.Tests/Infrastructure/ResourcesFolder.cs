namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>A temp resources folder (--resources-path) holding the component YAML a test writes.</summary>
public sealed class ResourcesFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("natter-components-").FullName;

    public ResourcesFolder Write(string fileName, string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), yaml);
        return this;
    }

    /// <summary>A state.redis component; redisHost comes from the given address.</summary>
    public ResourcesFolder WithRedisState(string address, string name = "statestore", bool actorStateStore = false, string? extraMetadata = null) =>
        Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: state.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "{address}"
                - name: actorStateStore
                  value: "{(actorStateStore ? "true" : "false")}"
            {extraMetadata ?? ""}
            """);

    /// <summary>A state.postgresql v2 component on the given connection string (libpq keyword/value, as Dapr takes it).</summary>
    public ResourcesFolder WithPostgresState(string connectionString, string name = "statestore", bool actorStateStore = false, string? extraMetadata = null) =>
        Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: state.postgresql
              version: v2
              metadata:
                - name: connectionString
                  value: "{connectionString}"
                - name: actorStateStore
                  value: "{(actorStateStore ? "true" : "false")}"
            {extraMetadata ?? ""}
            """);

    /// <summary>A pubsub.redis component with a short processingTimeout so redelivery tests finish quickly.</summary>
    public ResourcesFolder WithRedisPubSub(string address, string name = "pubsub", string processingTimeout = "2s", string redeliverInterval = "500ms", int concurrency = 10, string? consumerId = null) =>
        Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: pubsub.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "{address}"
                - name: processingTimeout
                  value: "{processingTimeout}"
                - name: redeliverInterval
                  value: "{redeliverInterval}"
                - name: concurrency
                  value: "{concurrency}"
                - name: maxLenApprox
                  value: "10000"
            {(consumerId is null ? "" : $"    - name: consumerID\n      value: \"{consumerId}\"")}
            """);

    public ResourcesFolder WithInMemory(string stateName = "statestore", string pubSubName = "pubsub") =>
        Write($"{stateName}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {stateName}
            spec:
              type: state.in-memory
              version: v1
              metadata: []
            """)
        .Write($"{pubSubName}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {pubSubName}
            spec:
              type: pubsub.in-memory
              version: v1
              metadata: []
            """);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
