using Microsoft.Extensions.DependencyInjection.Extensions;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Redis;

namespace Natter.Sidecar.State;

public static class StateStoreExtensions
{
    public static WebApplicationBuilder AddStateStores(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<RedisConnections>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SidecarOptions>();
            var connections = sp.GetRequiredService<RedisConnections>();
            var time = sp.GetRequiredService<TimeProvider>();
            var stores = sp.GetRequiredService<IReadOnlyList<ComponentSpec>>()
                .Where(c => ComponentTypes.IsState(c.Type))
                .Select(c => (Store: c.Type switch
                {
                    ComponentTypes.StateRedis => (IStateStore)RedisStateStore.Create(c, connections),
                    _ => new InMemoryStateStore(c.Name, c.GetBool("actorStateStore"), time),
                }, Prefix: StateStoreRegistry.PrefixFor(c, options)));
            return new StateStoreRegistry(stores.ToList());
        });
        return builder;
    }
}
