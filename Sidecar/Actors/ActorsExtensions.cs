using Microsoft.Extensions.DependencyInjection.Extensions;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Api;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Actors.Invocation;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Actors.State;
using Natter.Sidecar.Actors.Timers;
using Natter.Sidecar.Components;
using Natter.Sidecar.Metadata;
using Natter.Sidecar.Redis;
using Natter.Sidecar.State;
using Natter.Sidecar.State.Postgres;

namespace Natter.Sidecar.Actors;

public static class ActorsExtensions
{
    /// <summary>
    /// The actor runtime: discovery through /dapr/config, placement over leases in the actor store's Redis or PostgreSQL, turn-based calls, state,
    /// reminders, timers and idle deactivation. Comes after AddComponents, AddAppChannel and AddStateStores: it needs
    /// the app channel and the state store marked actorStateStore.
    /// </summary>
    public static WebApplicationBuilder AddActors(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ActorsOptions>().Bind(builder.Configuration.GetSection(ActorsOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IStartupFilter, DoubleSlashPaths>();
        services.TryAddSingleton(sp => ActorStoreBinding.From(
            sp.GetRequiredService<StateStoreRegistry>(), sp.GetRequiredService<IReadOnlyList<ComponentSpec>>()));

        services.AddSingleton<ActorTypesRegistry>();
        services.AddSingleton(sp => new AppActorClient(sp.GetRequiredService<AppChannel.AppChannel>()));
        services.AddSingleton(sp =>
        {
            var actors = ActivatorUtilities.CreateInstance<ActiveActors>(sp);
            sp.GetRequiredService<ActorTypesRegistry>().ActiveCounts = actors.CountsByType;
            return actors;
        });
        services.AddSingleton<IPlacementStore>(sp => sp.GetRequiredService<ActorStoreBinding>() switch
        {
            { RedisHost: { Length: > 0 } host } binding =>
                new RedisPlacementStore(sp.GetRequiredService<RedisConnections>().Shared(host, binding.RedisPassword)),
            { ConfiguredStore: PostgresStateStore postgres } =>
                new PostgresPlacementStore(postgres.DataSource, postgres.Options.TablePrefix + "natter_sidecar_placement"),
            _ => new LocalPlacementStore(),
        });
        services.AddSingleton<ActorPlacement>();
        services.AddSingleton<ActorForwarding>();
        services.AddSingleton<ActorHandoff>();
        services.AddSingleton<ActorRouter>();
        services.AddSingleton<ReminderStore>();
        services.AddSingleton<ActorReminders>();
        services.AddSingleton<ActorTimers>();
        services.AddSingleton<LocalActorCalls>();
        services.AddSingleton<ActorStateApi>();
        services.AddSingleton<IMetadataContributor, ActorsMetadata>();

        services.AddHostedService<ActorConfigDiscovery>();
        services.AddHostedService(sp => sp.GetRequiredService<ActorPlacement>());
        services.AddHostedService<ActorRebalancing>();
        services.AddHostedService<IdleDeactivation>();
        return builder;
    }

    /// <summary>/v1.0/actors/... for the app and /internal/actors/... for peer sidecars.</summary>
    public static WebApplication MapActorsApi(this WebApplication app)
    {
        app.MapActorEndpoints();
        return app;
    }
}
