using Aspire.Hosting.ApplicationModel;
using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>
/// What the AppHost would run on real daprd, argument by argument, checked against the flags Dapr 1.18.3 defines
/// (<see cref="DaprFlags"/>). Nothing is started: no daprd exists on this machine.
/// </summary>
[Collection(AppHostModelCollection.Name)]
public sealed class DaprdModeTests(AppHostModel model)
{
    public static TheoryData<string, string> Sidecars => new()
    {
        { "gateway-a", "gateway" }, { "gateway-b", "gateway" },
        { "chatservice-a", "chatservice" }, { "chatservice-b", "chatservice" },
        { "mediaservice", "mediaservice" },
    };

    [Theory]
    [MemberData(nameof(Sidecars))]
    public async Task Each_app_gets_a_daprd_wired_to_it_with_only_documented_flags(string app, string appId)
    {
        var sidecar = $"{app}-dapr";
        var args = await model.ArgsAsync(sidecar);

        Assert.Equal(Path.Combine(model.BinPath, "daprd"), ((ExecutableResource)model.Resource(sidecar)).Command);
        Assert.All(args.Flags(), flag => Assert.Contains(flag, DaprFlags.Daprd));
        Assert.Equal(appId, args.ValueOf("--app-id"));
        Assert.Equal($"{{{app}.bindings.http.port}}", args.ValueOf("--app-port"));
        Assert.Equal("http", args.ValueOf("--app-protocol"));
        Assert.Equal($"{{{sidecar}.bindings.http.port}}", args.ValueOf("--dapr-http-port"));
        Assert.Equal($"{{{sidecar}.bindings.grpc.port}}", args.ValueOf("--dapr-grpc-port"));
        Assert.Equal($"{{{sidecar}.bindings.internal-grpc.port}}", args.ValueOf("--dapr-internal-grpc-port"));
        Assert.Equal($"{{{sidecar}.bindings.metrics.port}}", args.ValueOf("--metrics-port"));
        Assert.Equal("127.0.0.1", args.ValueOf("--dapr-listen-addresses"));
        Assert.Equal("64Mi", args.ValueOf("--max-body-size"));
        Assert.Equal("info", args.ValueOf("--log-level"));
        Assert.Equal("40", args.ValueOf("--dapr-graceful-shutdown-seconds"));
        // Not set, on purpose (see DaprSidecarExtensions): a global cap would queue every chat behind the slowest.
        Assert.DoesNotContain("app-max-concurrency", args.Flags());
    }

    [Theory]
    [MemberData(nameof(Sidecars))]
    public async Task Each_daprd_finds_placement_scheduler_configuration_and_resiliency(string app, string appId)
    {
        _ = appId;
        var sidecar = $"{app}-dapr";
        var args = await model.ArgsAsync(sidecar);

        Assert.Equal("127.0.0.1:{dapr-placement.bindings.grpc.port}", args.ValueOf("--placement-host-address"));
        Assert.Equal("127.0.0.1:{dapr-scheduler.bindings.grpc.port}", args.ValueOf("--scheduler-host-address"));
        var config = args.ValueOf("--config");
        Assert.Equal(Path.Combine(RepositoryPaths.Root, "components", "daprd", "config.yaml"), config);
        Assert.Equal(("Configuration", "natter"), DaprResource.KindAndName(config));
        var resourcesPaths = args.ValuesOf("--resources-path");
        Assert.Equal([Path.Combine(RepositoryPaths.Root, "components"), Path.Combine(RepositoryPaths.Root, "components", "daprd")], resourcesPaths);
        Assert.Contains(("Resiliency", "natter"), Directory.GetFiles(resourcesPaths[1], "*.yaml").Select(DaprResource.KindAndName));
        var waitsFor = model.Resource(sidecar).Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToList();
        Assert.Contains("dapr-placement", waitsFor);
        Assert.Contains("dapr-scheduler", waitsFor);
        Assert.Contains("redis", waitsFor);
    }

    [Theory]
    [MemberData(nameof(Sidecars))]
    public async Task Daprd_and_its_app_share_the_same_tokens_and_the_app_finds_its_own_daprd(string app, string appId)
    {
        var sidecar = await model.EnvironmentAsync($"{app}-dapr");
        var service = await model.EnvironmentAsync(app);

        Assert.Equal("{app-api-token.value}", sidecar["APP_API_TOKEN"]);
        Assert.Equal("{dapr-api-token.value}", sidecar["DAPR_API_TOKEN"]);
        Assert.Equal(sidecar["APP_API_TOKEN"], service["APP_API_TOKEN"]);
        Assert.Equal(sidecar["DAPR_API_TOKEN"], service["DAPR_API_TOKEN"]);
        Assert.Equal("127.0.0.1:{redis.bindings.tcp.port}", sidecar["REDIS_HOST"]);
        Assert.True(sidecar.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"), "daprd exports traces to the dashboard");
        Assert.Equal($"http://127.0.0.1:{{{app}-dapr.bindings.http.port}}", service["DAPR_HTTP_ENDPOINT"]);
        Assert.Equal($"http://127.0.0.1:{{{app}-dapr.bindings.grpc.port}}", service["DAPR_GRPC_ENDPOINT"]);
        Assert.Equal(appId, service["Dapr__AppId"]);
    }

    [Fact]
    public async Task Placement_runs_on_loopback_with_every_port_allocated_and_only_documented_flags()
    {
        var args = await model.ArgsAsync("dapr-placement");

        Assert.Equal(Path.Combine(model.BinPath, "placement"), ((ExecutableResource)model.Resource("dapr-placement")).Command);
        Assert.All(args.Flags(), flag => Assert.Contains(flag, DaprFlags.Placement));
        Assert.Equal("{dapr-placement.bindings.grpc.port}", args.ValueOf("--port"));
        Assert.Equal("127.0.0.1", args.ValueOf("--listen-address"));
        Assert.Equal($"{args.ValueOf("--id")}=127.0.0.1:{{dapr-placement.bindings.raft.port}}", args.ValueOf("--initial-cluster"));
        AssertHealthAndMetrics(args, "dapr-placement");
    }

    [Fact]
    public async Task Scheduler_runs_on_loopback_with_its_etcd_in_the_run_folder_and_only_documented_flags()
    {
        var args = await model.ArgsAsync("dapr-scheduler");

        Assert.Equal(Path.Combine(model.BinPath, "scheduler"), ((ExecutableResource)model.Resource("dapr-scheduler")).Command);
        Assert.All(args.Flags(), flag => Assert.Contains(flag, DaprFlags.Scheduler));
        Assert.Equal("{dapr-scheduler.bindings.grpc.port}", args.ValueOf("--port"));
        // Loopback: the address the scheduler broadcasts to daprd is then 127.0.0.1:port.
        Assert.Equal("127.0.0.1", args.ValueOf("--listen-address"));
        Assert.Equal($"{args.ValueOf("--id")}=http://127.0.0.1:{{dapr-scheduler.bindings.etcd-peer.port}}", args.ValueOf("--etcd-initial-cluster"));
        Assert.Equal("{dapr-scheduler.bindings.etcd-client.port}", args.ValueOf("--etcd-client-port"));
        Assert.Equal("127.0.0.1", args.ValueOf("--etcd-client-listen-address"));
        Assert.EndsWith("dapr-scheduler", args.ValueOf("--etcd-data-dir"));
        AssertHealthAndMetrics(args, "dapr-scheduler");
    }

    [Fact]
    public void Control_plane_ports_are_not_proxied_so_daprd_reaches_them_directly()
    {
        foreach (var name in new[] { "dapr-placement", "dapr-scheduler" })
        {
            var endpoints = model.Resource(name).Annotations.OfType<EndpointAnnotation>().ToList();
            Assert.Contains(endpoints, e => e.Name == "grpc");
            Assert.All(endpoints, e => Assert.False(e.IsProxied, $"{name}/{e.Name} is proxied"));
        }
    }

    private void AssertHealthAndMetrics(IReadOnlyList<string> args, string resource)
    {
        Assert.Equal($"{{{resource}.bindings.healthz.port}}", args.ValueOf("--healthz-port"));
        Assert.Equal("127.0.0.1", args.ValueOf("--healthz-listen-address"));
        Assert.Equal($"{{{resource}.bindings.metrics.port}}", args.ValueOf("--metrics-port"));
        Assert.Equal("127.0.0.1", args.ValueOf("--metrics-listen-address"));
        Assert.Contains(model.Resource(resource).Annotations.OfType<HealthCheckAnnotation>(), _ => true);
    }
}
