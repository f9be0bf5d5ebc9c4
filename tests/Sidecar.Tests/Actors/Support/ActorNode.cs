using Dapr.Actors;
using Dapr.Actors.Client;
using Microsoft.Extensions.DependencyInjection;
using Natter.Sidecar.Actors;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Actors.Support;

public sealed record NodeOptions
{
    public TimeSpan? ActorIdleTimeout { get; init; }
    public TimeSpan? ActorScanInterval { get; init; }
    /// <summary>Short enough for a crashed host to be replaced quickly, long enough for a loaded 2-core test machine.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>False plays a crash: the lease is left to expire.</summary>
    public bool ReleaseLeaseOnStop { get; init; } = true;

    /// <summary>state.in-memory as the actor state store instead of the test's Redis.</summary>
    public bool InMemoryStore { get; init; }

    /// <summary>state.postgresql (v2) on this connection string as the actor state store (placement leases go there too).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>DAPR_API_TOKEN shared by the sidecars (and sent by the app and proxies).</summary>
    public string? ApiToken { get; init; }
}

/// <summary>
/// One app instance with its own sidecar, both real in-process web servers on free ports: the app runs the official
/// Dapr actor runtime (Dapr.Actors.AspNetCore) and talks to the sidecar over HTTP like a deployed app.
/// </summary>
public sealed class ActorNode : IAsyncDisposable
{
    public const string ActorType = nameof(CounterActor);

    private readonly SidecarHost _sidecar;
    private readonly ResourcesFolder _resources;
    private readonly WebApplication _app;
    private bool _stopped;

    private ActorNode(string name, SidecarHost sidecar, ResourcesFolder resources, WebApplication app, string sidecarUrl, ActorProbe probe, string? apiToken)
    {
        Name = name;
        _sidecar = sidecar;
        _resources = resources;
        _app = app;
        SidecarUrl = sidecarUrl;
        Probe = probe;
        Proxies = new ActorProxyFactory(new ActorProxyOptions { HttpEndpoint = sidecarUrl, DaprApiToken = apiToken ?? "" });
    }

    public string Name { get; }

    public string SidecarUrl { get; }

    public ActorProbe Probe { get; }

    public ActorProxyFactory Proxies { get; }

    public ActiveActors ActiveActors => _sidecar.Services.GetRequiredService<ActiveActors>();

    public ActorPlacement Placement => _sidecar.Services.GetRequiredService<ActorPlacement>();

    public ActorReminders Reminders => _sidecar.Services.GetRequiredService<ActorReminders>();

    public ICounterActor Counter(string id) => Proxies.CreateActorProxy<ICounterActor>(new ActorId(id), ActorType);

    public static async Task<ActorNode> StartAsync(
        string name, RedisServer redis, TurnMonitor monitor, NodeOptions options, CancellationToken ct)
    {
        var appPort = FreePorts.Next();
        var resources = options.InMemoryStore
            ? new ResourcesFolder().Write("statestore.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.in-memory
                  version: v1
                  metadata:
                    - name: actorStateStore
                      value: "true"
                """)
            : options.PostgresConnectionString is { } postgres
                ? new ResourcesFolder().WithPostgresState(postgres, actorStateStore: true)
                : new ResourcesFolder().WithRedisState(redis.Address, actorStateStore: true);
        var settings = new SidecarSettings("counter", resources.Path) { AppPort = appPort };
        if (options.ApiToken is { } apiToken)
        {
            settings = settings.WithEnvironment("DAPR_API_TOKEN", apiToken);
        }
        var sidecarUrl = settings.HttpEndpoint;
        var probe = new ActorProbe(name, monitor);

        // The real sidecar application (components from YAML, state.redis, API token), with test-sized placement timings.
        var sidecar = await SidecarHost.StartAsync(settings, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<ActorsOptions>(o =>
            {
                o.LeaseTtl = options.LeaseTtl;
                o.LeaseRenewInterval = options.LeaseRenewInterval;
                o.ReleaseLeaseOnStop = options.ReleaseLeaseOnStop;
                o.ConfigRetryInterval = TimeSpan.FromMilliseconds(100);
                o.ReminderRetryInterval = TimeSpan.FromMilliseconds(200);
            });
        });

        var appBuilder = WebApplication.CreateBuilder();
        appBuilder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        appBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        appBuilder.Services.AddSingleton(probe);
        appBuilder.Services.AddActors(o =>
        {
            o.Actors.RegisterActor<CounterActor>();
            o.HttpEndpoint = sidecarUrl;
            if (options.ApiToken is { } token)
            {
                o.DaprApiToken = token;
            }
            if (options.ActorIdleTimeout is { } idle)
            {
                o.ActorIdleTimeout = idle;
            }
            if (options.ActorScanInterval is { } scan)
            {
                o.ActorScanInterval = scan;
            }
        });
        var app = appBuilder.Build();
        app.Use(async (context, next) =>
        {
            // PUT /actors/{type}/{id}/method/{name}: one turn the sidecar handed to this app.
            var segments = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (segments is ["actors", _, var id, "method", ..])
            {
                using var inApp = monitor.EnterAppRequest(Uri.UnescapeDataString(id));
                await next(context);
                return;
            }
            await next(context);
        });
        app.MapActorsHandlers();

        await app.StartAsync(ct);
        var node = new ActorNode(name, sidecar, resources, app, sidecarUrl, probe, options.ApiToken);
        await node.Placement.WhenReady.WaitAsync(ct);
        return node;
    }

    /// <summary>Waits until this node's placement sees exactly the given hosts (by node name).</summary>
    public async Task WaitForHostsAsync(int count, CancellationToken ct)
    {
        while (Placement.Table.HostsFor(ActorType).Count != count)
        {
            await Task.Delay(50, ct);
        }
    }

    public string OwnerOf(string actorId) => Placement.Table.Owner(ActorType, actorId)?.InstanceId ?? "";

    public bool Owns(string actorId) => OwnerOf(actorId) == Placement.InstanceId;

    /// <summary>Stops sidecar and app for real: the listeners close and the lease stops being renewed.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await _sidecar.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _resources.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
