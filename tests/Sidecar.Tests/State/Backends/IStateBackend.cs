using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.State.Backends;

/// <summary>A real server behind a state component: the state conformance classes run once per backend.</summary>
public interface IStateBackend : IAsyncLifetime
{
    /// <summary>Writes a state component of this backend's type, named <paramref name="name"/>.</summary>
    ResourcesFolder WriteStateStore(ResourcesFolder resources, string name = "statestore", bool actorStateStore = false, string? extraMetadata = null);
}

/// <summary>state.redis on a real redis-server.</summary>
public sealed class RedisStateBackend : IStateBackend
{
    public RedisServer Server { get; } = new();

    public ResourcesFolder WriteStateStore(ResourcesFolder resources, string name = "statestore", bool actorStateStore = false, string? extraMetadata = null) =>
        resources.WithRedisState(Server.Address, name, actorStateStore, extraMetadata);

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>state.postgresql v2 on a throwaway PostgreSQL cluster.</summary>
public sealed class PostgresStateBackend : IStateBackend
{
    public PostgresServer Server { get; } = new();

    public ResourcesFolder WriteStateStore(ResourcesFolder resources, string name = "statestore", bool actorStateStore = false, string? extraMetadata = null) =>
        resources.WithPostgresState(Server.DaprConnectionString, name, actorStateStore, extraMetadata);

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}
