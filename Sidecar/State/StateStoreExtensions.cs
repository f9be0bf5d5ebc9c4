using Microsoft.Extensions.DependencyInjection.Extensions;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Postgres;
using Natter.Sidecar.Redis;
using Natter.Sidecar.State.Postgres;

namespace Natter.Sidecar.State;

public static class StateStoreExtensions
{
    public static WebApplicationBuilder AddStateStores(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<RedisConnections>();
        builder.Services.TryAddSingleton<PostgresDataSources>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SidecarOptions>();
            var connections = sp.GetRequiredService<RedisConnections>();
            var postgres = sp.GetRequiredService<PostgresDataSources>();
            var time = sp.GetRequiredService<TimeProvider>();
            var stores = sp.GetRequiredService<IReadOnlyList<ComponentSpec>>()
                .Where(c => ComponentTypes.IsState(c.Type))
                .Select(c => (Store: c.Type switch
                {
                    ComponentTypes.StateRedis => (IStateStore)RedisStateStore.Create(c, connections),
                    ComponentTypes.StatePostgres => PostgresStateStore.Create(c, postgres),
                    _ => new InMemoryStateStore(c.Name, c.GetBool("actorStateStore"), time),
                }, Prefix: StateStoreRegistry.PrefixFor(c, options)));
            return new StateStoreRegistry(stores.ToList());
        });
        builder.Services.AddHostedService<PostgresStateCleanup>();
        return builder;
    }
}
