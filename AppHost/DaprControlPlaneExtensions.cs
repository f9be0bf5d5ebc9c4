namespace Natter.AppHost;

/// <summary>
/// The two Dapr services real daprd needs besides itself, as `dapr init --slim` leaves them to be run: placement
/// (which sidecar hosts which actor) and scheduler (actor reminders from Dapr 1.14 on). Our local sidecar needs
/// neither: it places actors through Redis leases and keeps reminders in the actor state store.
/// Every port is Aspire's choice and every listener is on 127.0.0.1, so two runs on one machine never collide
/// (placement's raft port 8201, scheduler's etcd ports 2379/2380 and both healthz ports 8080 are fixed by default).
/// Flags as documented for Dapr 1.18 (cmd/placement and cmd/scheduler options); tests/AppHost.Tests pins them.
/// </summary>
public sealed record DaprControlPlane(IResourceBuilder<ExecutableResource> Placement, IResourceBuilder<ExecutableResource> Scheduler)
{
    public const string PlacementId = "dapr-placement-0";
    public const string SchedulerId = "dapr-scheduler-server-0";

    /// <summary>host:port that daprd's --placement-host-address takes.</summary>
    public ReferenceExpression PlacementAddress =>
        ReferenceExpression.Create($"127.0.0.1:{Placement.GetEndpoint("grpc").Property(EndpointProperty.Port)}");

    /// <summary>host:port that daprd's --scheduler-host-address takes.</summary>
    public ReferenceExpression SchedulerAddress =>
        ReferenceExpression.Create($"127.0.0.1:{Scheduler.GetEndpoint("grpc").Property(EndpointProperty.Port)}");
}

public static class DaprControlPlaneExtensions
{
    /// <summary>One placement and one scheduler for every daprd of this run.</summary>
    public static DaprControlPlane AddDaprControlPlane(this IDistributedApplicationBuilder builder, DaprBinaries binaries, NatterPaths paths) =>
        new(builder.AddDaprPlacement(binaries, paths), builder.AddDaprScheduler(binaries, paths));

    private static IResourceBuilder<ExecutableResource> AddDaprPlacement(
        this IDistributedApplicationBuilder builder, DaprBinaries binaries, NatterPaths paths)
    {
        var placement = builder.AddExecutable("dapr-placement", binaries.Placement, paths.DataFolder("dapr-placement"))
            .WithControlPlaneEndpoints("raft");
        placement.WithArgs(context =>
        {
            context.Args.Add("--id");
            context.Args.Add(DaprControlPlane.PlacementId);
            // In-memory raft log (the default): the table is rebuilt from the sidecars' heartbeats after a restart.
            context.Args.Add("--initial-cluster");
            context.Args.Add(ReferenceExpression.Create(
                $"{DaprControlPlane.PlacementId}=127.0.0.1:{placement.GetEndpoint("raft").Property(EndpointProperty.Port)}"));
            context.Args.Add("--port");
            context.Args.Add(placement.GetEndpoint("grpc").Property(EndpointProperty.Port));
            context.Args.Add("--listen-address");
            context.Args.Add("127.0.0.1");
            AddHealthAndMetrics(context, placement);
        });
        return placement;
    }

    private static IResourceBuilder<ExecutableResource> AddDaprScheduler(
        this IDistributedApplicationBuilder builder, DaprBinaries binaries, NatterPaths paths)
    {
        var dataFolder = paths.DataFolder("dapr-scheduler");
        var scheduler = builder.AddExecutable("dapr-scheduler", binaries.Scheduler, dataFolder)
            .WithControlPlaneEndpoints("etcd-client", "etcd-peer");
        scheduler.WithArgs(context =>
        {
            context.Args.Add("--id");
            context.Args.Add(DaprControlPlane.SchedulerId);
            context.Args.Add("--port");
            context.Args.Add(scheduler.GetEndpoint("grpc").Property(EndpointProperty.Port));
            // A loopback listen address is also the address the scheduler tells each daprd to connect to.
            context.Args.Add("--listen-address");
            context.Args.Add("127.0.0.1");
            // Embedded etcd (the default): reminders survive a scheduler restart in the run's data folder.
            context.Args.Add("--etcd-data-dir");
            context.Args.Add(dataFolder);
            context.Args.Add("--etcd-initial-cluster");
            context.Args.Add(ReferenceExpression.Create(
                $"{DaprControlPlane.SchedulerId}=http://127.0.0.1:{scheduler.GetEndpoint("etcd-peer").Property(EndpointProperty.Port)}"));
            context.Args.Add("--etcd-client-port");
            context.Args.Add(scheduler.GetEndpoint("etcd-client").Property(EndpointProperty.Port));
            context.Args.Add("--etcd-client-listen-address");
            context.Args.Add("127.0.0.1");
            AddHealthAndMetrics(context, scheduler);
        });
        return scheduler;
    }

    /// <summary>grpc (what daprd connects to), healthz, metrics, plus the service's own extra ports; none proxied.</summary>
    private static IResourceBuilder<ExecutableResource> WithControlPlaneEndpoints(
        this IResourceBuilder<ExecutableResource> service, params string[] extraPorts)
    {
        service.WithEndpoint(name: "grpc", scheme: "tcp", isProxied: false)
            .WithEndpoint(name: "healthz", scheme: "http", isProxied: false)
            .WithEndpoint(name: "metrics", scheme: "http", isProxied: false)
            .WithHttpHealthCheck("/healthz", endpointName: "healthz");
        foreach (var port in extraPorts)
        {
            service.WithEndpoint(name: port, scheme: "tcp", isProxied: false);
        }
        return service;
    }

    private static void AddHealthAndMetrics(CommandLineArgsCallbackContext context, IResourceBuilder<ExecutableResource> service)
    {
        context.Args.Add("--healthz-port");
        context.Args.Add(service.GetEndpoint("healthz").Property(EndpointProperty.Port));
        context.Args.Add("--healthz-listen-address");
        context.Args.Add("127.0.0.1");
        context.Args.Add("--metrics-port");
        context.Args.Add(service.GetEndpoint("metrics").Property(EndpointProperty.Port));
        context.Args.Add("--metrics-listen-address");
        context.Args.Add("127.0.0.1");
        context.Args.Add("--log-level");
        context.Args.Add("info");
    }
}
