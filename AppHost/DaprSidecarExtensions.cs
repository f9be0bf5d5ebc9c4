namespace Natter.AppHost;

/// <summary>Which Dapr runtime serves the sidecars, and what every sidecar is given.</summary>
/// <param name="Binaries">Real daprd, placement and scheduler; null when the local sidecar serves.</param>
/// <param name="ControlPlane">Placement and scheduler for daprd; null with the local sidecar, which needs neither.</param>
/// <param name="AppApiToken">APP_API_TOKEN: the sidecar presents it to its app, which refuses sidecar routes without it.</param>
/// <param name="DaprApiToken">DAPR_API_TOKEN: the app presents it to its sidecar, which refuses its API without it.
/// One per run for all sidecars: our local sidecars also present it to each other when they forward actor calls.</param>
public sealed record DaprSidecarOptions(
    string ResourcesPath, IResourceBuilder<ExecutableResource> Redis, NatterPaths Paths,
    IResourceBuilder<ParameterResource> AppApiToken, IResourceBuilder<ParameterResource> DaprApiToken,
    DaprBinaries? Binaries, DaprControlPlane? ControlPlane)
{
    public DaprRuntime Runtime => Binaries is null ? DaprRuntime.Local : DaprRuntime.Daprd;

    /// <summary>What only daprd reads: the Configuration (--config) and the Resiliency policies (a second --resources-path).</summary>
    public string DaprdResourcesPath => Path.Combine(Paths.RepoRoot, "components", "daprd");

    public string DaprdConfigPath => Path.Combine(DaprdResourcesPath, "config.yaml");

    public static DaprSidecarOptions From(
        IDistributedApplicationBuilder builder, NatterPaths paths, IResourceBuilder<ExecutableResource> redis)
    {
        var configured = builder.Configuration["Dapr:Runtime"] ?? "auto";
        var binaries = configured.ToLowerInvariant() switch
        {
            "auto" => DaprBinaries.Find(builder),
            "daprd" => DaprBinaries.Find(builder) ?? throw new InvalidOperationException(
                "Dapr:Runtime=daprd, but daprd is not on PATH, in ~/.dapr/bin or in Dapr:BinPath: run `dapr init --slim`."),
            "local" => null,
            _ => throw new InvalidOperationException($"Dapr:Runtime must be auto, daprd or local, not '{configured}'."),
        };
        var resources = Path.GetFullPath(Path.Combine(paths.RepoRoot, builder.Configuration["Dapr:ResourcesPath"] ?? "components"));
        if (!Directory.Exists(resources))
        {
            throw new InvalidOperationException($"Dapr:ResourcesPath '{resources}' does not exist.");
        }
        var controlPlane = binaries is null ? null : builder.AddDaprControlPlane(binaries, paths);
        return new DaprSidecarOptions(resources, redis, paths, Token(builder, "app-api-token"), Token(builder, "dapr-api-token"),
            binaries, controlPlane);
    }

    /// <summary>Generated per machine and kept in user secrets, like the signing key; never written in code.</summary>
    private static IResourceBuilder<ParameterResource> Token(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);
}

public enum DaprRuntime { Local, Daprd }

public static class DaprSidecarExtensions
{
    /// <summary>Matches ServiceDefaults' DaprMessageLimits: a group message is one transaction with a copy per device.</summary>
    public const string MaxBodySize = "64Mi";

    /// <summary>
    /// How long daprd waits for in-flight calls on shutdown (its default is 5 s): an actor turn fanning a group message
    /// out to 300 inboxes, or a delivery batch, finishes instead of being cut; and a draining gateway (up to 30 s: its
    /// drain window, a running command's grace, the close handshakes and farewell writes) keeps its sidecar throughout.
    /// The pods' terminationGracePeriodSeconds (50) is longer still.
    /// </summary>
    public const int GracefulShutdownSeconds = 40;

    /// <summary>
    /// Gives the app its own sidecar: real daprd when installed, our local sidecar otherwise.
    /// Both get the same daprd-style arguments, so the choice changes nothing in the app; daprd also gets what only it
    /// reads (placement, scheduler, configuration, resiliency, its own ports).
    /// --app-max-concurrency is deliberately not set: it caps all calls into the app at once, so one slow chat's actor
    /// turns would queue every other chat's behind them. Load is bounded where it is cheaper: pub/sub deliveries by the
    /// component's concurrency (32), actor turns per chat by the actor runtime, client commands by the gateway's
    /// per-connection and per-user token buckets.
    /// </summary>
    public static IResourceBuilder<T> WithDaprSidecar<T>(
        this IResourceBuilder<T> app, DaprSidecarOptions options, string appId)
        where T : IResourceWithEndpoints, IResourceWithEnvironment
    {
        var builder = app.ApplicationBuilder;
        if (!app.Resource.TryGetEndpoints(out var endpoints) || !endpoints.Any(e => e.Name == "http"))
        {
            app.WithHttpEndpoint(name: "http");
        }
        // Not proxied: the sidecar calls the app directly (actor turns, deliveries), one relay less on every call.
        app.WithEndpoint("http", endpoint => endpoint.IsProxied = false);
        app.WithHttpHealthCheck("/health", endpointName: "http");

        var name = $"{app.Resource.Name}-dapr";
        IResourceBuilder<IResourceWithEndpoints> sidecar = options.Runtime == DaprRuntime.Local
            ? builder.AddProject<Projects.Sidecar>(name)
            : builder.AddExecutable(name, options.Binaries!.Daprd, options.Paths.RepoRoot).WithOtlpExporter();
        sidecar = sidecar
            // Not proxied: the app reaches its sidecar directly, one hop less on every Dapr call.
            .WithEndpoint(name: "http", scheme: "http", isProxied: false)
            .WithEndpoint(name: "grpc", scheme: "http", isProxied: false)
            .WithParentRelationship(app.Resource);

        // Another resource's TargetPort is not resolved in our environment (DCP leaves the template), so
        // cross-resource references use Port; every endpoint here is unproxied, so it is the port the process binds.
        var appPort = app.GetEndpoint("http").Property(EndpointProperty.Port);
        var httpPort = sidecar.GetEndpoint("http").Property(EndpointProperty.Port);
        var grpcPort = sidecar.GetEndpoint("grpc").Property(EndpointProperty.Port);
        ((IResourceBuilder<IResourceWithArgs>)sidecar).WithArgs(context =>
        {
            context.Args.Add("--app-id");
            context.Args.Add(appId);
            context.Args.Add("--app-port");
            context.Args.Add(appPort);
            context.Args.Add("--app-protocol");
            context.Args.Add("http");
            context.Args.Add("--dapr-http-port");
            context.Args.Add(httpPort);
            context.Args.Add("--dapr-grpc-port");
            context.Args.Add(grpcPort);
            context.Args.Add("--resources-path");
            context.Args.Add(options.ResourcesPath);
            context.Args.Add("--max-body-size");
            context.Args.Add(MaxBodySize);
            context.Args.Add("--log-level");
            context.Args.Add("info");
        });
        if (options.ControlPlane is { } controlPlane)
        {
            sidecar.WithDaprdOnlyArguments(options, controlPlane);
        }
        // Components read connection details through secretstores.local.env, as real daprd does. Both runtimes read
        // the two tokens from the same variables.
        ((IResourceBuilder<IResourceWithEnvironment>)sidecar)
            .WithEnvironment("REDIS_HOST", options.Redis.HostAndPort())
            .WithEnvironment("APP_API_TOKEN", options.AppApiToken)
            .WithEnvironment("DAPR_API_TOKEN", options.DaprApiToken);
        ((IResourceBuilder<IResourceWithWaitSupport>)sidecar).WaitFor(options.Redis);
        ((IResourceBuilder<IResourceWithEndpoints>)sidecar).WithHttpHealthCheck("/v1.0/healthz", statusCode: 204, endpointName: "http"); // daprd (and ours) answer 204

        app.WithEnvironment("DAPR_HTTP_ENDPOINT", ReferenceExpression.Create($"http://127.0.0.1:{httpPort}"))
            .WithEnvironment("DAPR_GRPC_ENDPOINT", ReferenceExpression.Create($"http://127.0.0.1:{grpcPort}"))
            .WithEnvironment("DAPR_HTTP_PORT", httpPort)
            .WithEnvironment("DAPR_GRPC_PORT", grpcPort)
            .WithEnvironment("APP_API_TOKEN", options.AppApiToken)
            .WithEnvironment("DAPR_API_TOKEN", options.DaprApiToken)
            .WithEnvironment("Dapr__AppId", appId);
        return app;
    }

    private static void WithDaprdOnlyArguments(
        this IResourceBuilder<IResourceWithEndpoints> sidecar, DaprSidecarOptions options, DaprControlPlane controlPlane)
    {
        // Fixed by default (internal gRPC: a "stable" port per app id, metrics: 9090), so two instances of one app would
        // collide: Aspire allocates them instead.
        sidecar.WithEndpoint(name: "internal-grpc", scheme: "tcp", isProxied: false)
            .WithEndpoint(name: "metrics", scheme: "http", isProxied: false);
        var internalGrpcPort = sidecar.GetEndpoint("internal-grpc").Property(EndpointProperty.Port);
        var metricsPort = sidecar.GetEndpoint("metrics").Property(EndpointProperty.Port);
        ((IResourceBuilder<IResourceWithArgs>)sidecar).WithArgs(context =>
        {
            context.Args.Add("--placement-host-address");
            context.Args.Add(controlPlane.PlacementAddress);
            context.Args.Add("--scheduler-host-address");
            context.Args.Add(controlPlane.SchedulerAddress);
            // Tracing sampling; the OTLP endpoint itself comes from OTEL_EXPORTER_OTLP_ENDPOINT (WithOtlpExporter).
            context.Args.Add("--config");
            context.Args.Add(options.DaprdConfigPath);
            // The Resiliency policies: daprd loads them from a resources path, next to the components.
            context.Args.Add("--resources-path");
            context.Args.Add(options.DaprdResourcesPath);
            context.Args.Add("--dapr-internal-grpc-port");
            context.Args.Add(internalGrpcPort);
            context.Args.Add("--metrics-port");
            context.Args.Add(metricsPort);
            context.Args.Add("--dapr-listen-addresses");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--dapr-graceful-shutdown-seconds");
            context.Args.Add(GracefulShutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        ((IResourceBuilder<IResourceWithWaitSupport>)sidecar).WaitFor(controlPlane.Placement).WaitFor(controlPlane.Scheduler);
    }
}
