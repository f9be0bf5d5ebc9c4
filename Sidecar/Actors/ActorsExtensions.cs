using Microsoft.Extensions.DependencyInjection.Extensions;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Api;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Actors.Invocation;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Actors.State;
using Natter.Sidecar.Actors.Timers;
using Natter.Sidecar.AppChannel;
using StackExchange.Redis;

namespace Natter.Sidecar.Actors;

public static class ActorsExtensions
{
    /// <summary>
    /// The actor runtime: discovery through /dapr/config, placement over Redis leases, turn-based calls, state,
    /// reminders, timers and idle deactivation. Needs <see cref="Hosting.SidecarOptions"/> and an
    /// <see cref="ActorStoreBinding"/> (the actor state store) in the container.
    /// </summary>
    public static WebApplicationBuilder AddActors(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ActorsOptions>().Bind(builder.Configuration.GetSection(ActorsOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IStartupFilter, DoubleSlashPaths>();
        if (!services.Any(d => d.ServiceType == typeof(AppReadiness)))
        {
            services.AddSingleton<AppReadiness>();
            services.AddHostedService(sp => sp.GetRequiredService<AppReadiness>());
        }
        if (!services.Any(d => d.ServiceType == typeof(AppChannel.AppChannel)))
        {
            services.AddHttpClient<AppChannel.AppChannel>();
        }
        services.TryAddSingleton<ActorStoreBinding>(_ => throw new InvalidOperationException(
            "Actors need a state store component with actorStateStore: true; none is registered."));

        services.AddSingleton<ActorTypesRegistry>();
        services.AddSingleton(sp => new AppActorClient(sp.GetRequiredService<AppChannel.AppChannel>()));
        services.AddSingleton(sp =>
        {
            var actors = ActivatorUtilities.CreateInstance<ActiveActors>(sp);
            sp.GetRequiredService<ActorTypesRegistry>().ActiveCounts = actors.CountsByType;
            return actors;
        });
        services.AddSingleton<IPlacementStore>(sp =>
            sp.GetRequiredService<ActorStoreBinding>().RedisConfiguration is { } redis
                ? new RedisPlacementStore(ConnectionMultiplexer.Connect(redis))
                : new LocalPlacementStore());
        services.AddSingleton<ActorPlacement>();
        services.AddSingleton<ActorForwarding>();
        services.AddSingleton<ActorRouter>();
        services.AddSingleton<ReminderStore>();
        services.AddSingleton<ActorReminders>();
        services.AddSingleton<ActorTimers>();
        services.AddSingleton<LocalActorCalls>();
        services.AddSingleton<ActorStateApi>();

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
