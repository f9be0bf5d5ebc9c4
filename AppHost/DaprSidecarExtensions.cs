namespace Natter.AppHost;

/// <summary>Which Dapr runtime serves the sidecars, and what every sidecar is given.</summary>
/// <param name="AppApiToken">APP_API_TOKEN: the sidecar presents it to its app, which refuses sidecar routes without it.</param>
/// <param name="DaprApiToken">DAPR_API_TOKEN: the app presents it to its sidecar, which refuses its API without it.
/// One per run for all sidecars: our local sidecars also present it to each other when they forward actor calls.</param>
public sealed record DaprSidecarOptions(
    DaprRuntime Runtime, string ResourcesPath, IResourceBuilder<ExecutableResource> Redis, NatterPaths Paths,
    IResourceBuilder<ParameterResource> AppApiToken, IResourceBuilder<ParameterResource> DaprApiToken)
{
    public static DaprSidecarOptions From(
        IDistributedApplicationBuilder builder, NatterPaths paths, IResourceBuilder<ExecutableResource> redis)
    {
        var configured = builder.Configuration["Dapr:Runtime"] ?? "auto";
        var runtime = configured.ToLowerInvariant() switch
        {
            "auto" => DaprdIsInstalled() ? DaprRuntime.Daprd : DaprRuntime.Local,
            "daprd" => DaprRuntime.Daprd,
            "local" => DaprRuntime.Local,
            _ => throw new InvalidOperationException($"Dapr:Runtime must be auto, daprd or local, not '{configured}'."),
        };
        var resources = Path.GetFullPath(Path.Combine(paths.RepoRoot, builder.Configuration["Dapr:ResourcesPath"] ?? "components"));
        if (!Directory.Exists(resources))
        {
            throw new InvalidOperationException($"Dapr:ResourcesPath '{resources}' does not exist.");
        }
        return new DaprSidecarOptions(runtime, resources, redis, paths, Token(builder, "app-api-token"), Token(builder, "dapr-api-token"));
    }

    /// <summary>Generated per machine and kept in user secrets, like the signing key; never written in code.</summary>
    private static IResourceBuilder<ParameterResource> Token(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

    private static bool DaprdIsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "daprd")));
}

public enum DaprRuntime { Local, Daprd }

public static class DaprSidecarExtensions
{
    /// <summary>
    /// Gives the app its own sidecar: real daprd when installed, our local sidecar otherwise.
    /// Both get the same daprd-style arguments, so the choice changes nothing in the app.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDaprSidecar(
        this IResourceBuilder<ProjectResource> app, DaprSidecarOptions options, string appId)
    {
        var builder = app.ApplicationBuilder;
        if (!app.Resource.TryGetEndpoints(out var endpoints) || !endpoints.Any(e => e.Name == "http"))
        {
            app.WithHttpEndpoint(name: "http");
        }
        app.WithHttpHealthCheck("/health", endpointName: "http");

        var name = $"{app.Resource.Name}-dapr";
        IResourceBuilder<IResourceWithEndpoints> sidecar = options.Runtime == DaprRuntime.Local
            ? builder.AddProject<Projects.Sidecar>(name)
            : builder.AddExecutable(name, "daprd", options.Paths.RepoRoot).WithOtlpExporter();
        sidecar = sidecar
            // Not proxied: the app reaches its sidecar directly, one hop less on every Dapr call.
            .WithEndpoint(name: "http", scheme: "http", isProxied: false)
            .WithEndpoint(name: "grpc", scheme: "http", isProxied: false)
            .WithParentRelationship(app.Resource);

        // Another resource's TargetPort is not resolved in our environment (DCP leaves the template), so
        // cross-resource references use Port: the app's proxied port, and the sidecar's own (unproxied) port.
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
            // Matches ServiceDefaults' DaprMessageLimits: a group message is one transaction with a copy per device.
            context.Args.Add("--max-body-size");
            context.Args.Add("64Mi");
            context.Args.Add("--log-level");
            context.Args.Add("info");
        });
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
}
