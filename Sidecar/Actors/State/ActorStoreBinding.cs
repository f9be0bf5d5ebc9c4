using Natter.Sidecar.Components;
using Natter.Sidecar.State;

namespace Natter.Sidecar.Actors.State;

/// <summary>
/// The component marked actorStateStore: true. Actor state and reminders go through its store; placement leases
/// live in its Redis when it is state.redis (with state.in-memory, actors can only live in this process).
/// </summary>
public sealed record ActorStoreBinding(IStateStore Store, ComponentSpec? Component)
{
    /// <summary>StackExchange.Redis configuration built from the component's redisHost and redisPassword, or null.</summary>
    public string? RedisConfiguration
    {
        get
        {
            if (Component is not { Type: "state.redis" } spec || spec.Get("redisHost") is not { Length: > 0 } host)
            {
                return null;
            }
            var configuration = $"{host},abortConnect=false";
            if (spec.Get("redisPassword") is { Length: > 0 } password)
            {
                configuration += $",password={password}";
            }
            return configuration;
        }
    }
}
