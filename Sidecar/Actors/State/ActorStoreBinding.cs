using Natter.Sidecar.Components;
using Natter.Sidecar.State;

namespace Natter.Sidecar.Actors.State;

/// <summary>
/// The component marked actorStateStore: true. Actor state and reminders go through its store; placement leases
/// live in its Redis or PostgreSQL when it is state.redis or state.postgresql (with state.in-memory, actors can only
/// live in this process).
/// </summary>
/// <remarks>
/// Without such a component the sidecar still starts (an app may only call actors hosted elsewhere, or use no actors);
/// actor state and reminder calls then fail with a clear error, and placement is this host alone.
/// </remarks>
public sealed record ActorStoreBinding(IStateStore? ConfiguredStore, ComponentSpec? Component)
{
    public IStateStore Store => ConfiguredStore ?? throw new ActorStateStoreMissingException();

    public string? RedisHost => Component?.Type == ComponentTypes.StateRedis ? Component.Get("redisHost") : null;

    public string? RedisPassword => Component?.Get("redisPassword");

    /// <summary>Finds the actor state store among the loaded components, as daprd does at startup.</summary>
    public static ActorStoreBinding From(StateStoreRegistry stores, IReadOnlyList<ComponentSpec> components)
    {
        var store = stores.ActorStateStore;
        return new ActorStoreBinding(store, store is null ? null : components.First(c => c.Name == store.Name));
    }
}

public sealed class ActorStateStoreMissingException() : InvalidOperationException(
    "actors need a state store component with metadata actorStateStore: \"true\"; none is loaded for this app");
