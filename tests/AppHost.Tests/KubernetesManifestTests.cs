using System.Text.Json.Nodes;
using System.Xml.Linq;
using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>
/// deploy/kubernetes kept honest without a cluster: parsed, and checked against the AppHost's own model (app ids,
/// ports, sidecar settings, environment names, components and their scopes) and against Dapr 1.18.3's annotations.
/// </summary>
[Collection(AppHostModelCollection.Name)]
public sealed class KubernetesManifestTests(AppHostModel model)
{
    private readonly KubernetesManifests _manifests = new();

    /// <summary>Set by Aspire for its dashboard and console, not by Natter: a cluster sets its own or none.</summary>
    private static readonly HashSet<string> AspireOnly =
    [
        "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_RESOURCE_ATTRIBUTES",
        "DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION", "LOGGING__CONSOLE__FORMATTERNAME", "ASPNETCORE_URLS",
    ];

    /// <summary>
    /// The sidecar injector gives every app container DAPR_HTTP_PORT and DAPR_GRPC_PORT, and the SDK then finds daprd
    /// on localhost; the AppHost's *_ENDPOINT variables say the same for processes that share no pod.
    /// </summary>
    private static readonly HashSet<string> InjectedByDapr = ["DAPR_HTTP_PORT", "DAPR_GRPC_PORT", "DAPR_HTTP_ENDPOINT", "DAPR_GRPC_ENDPOINT"];

    /// <summary>What only a cluster needs, each for a reason the AppHost does not have.</summary>
    private static readonly HashSet<string> KubernetesOnly =
    [
        "ASPNETCORE_HTTP_PORTS",       // the container port; Aspire picks ports itself
        "OTEL_SERVICE_NAME",           // Aspire names services through its own annotations
        "Media__UrlSigningKey",        // Development signs upload URLs with the AppHost's signing key
        "Media__PublicBaseUrl",        // locally clients reach MediaService directly
        "OTEL_TRACES_SAMPLER",         // a cluster samples traces; the dashboard shows every request
        "OTEL_TRACES_SAMPLER_ARG",
    ];

    /// <summary>Never in a cluster: each lets anyone mint tokens, move the clock or sign as the server.</summary>
    private static readonly string[] DevelopmentOnly = ["Auth__SigningKey", "Auth__DevelopmentTokens", "Natter__TestClock"];

    [Fact]
    public void Kustomization_lists_every_manifest_file_and_every_document_parses_with_kind_and_name()
    {
        var onDisk = Directory.GetFiles(RepositoryPaths.Kubernetes, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryPaths.Kubernetes, f).Replace('\\', '/'))
            .Where(f => f != "kustomization.yaml");

        Assert.Equal(onDisk.Order(), _manifests.Files.Order());
        Assert.All(_manifests.Documents, d =>
        {
            Assert.NotEqual("", d["apiVersion"].Text());
            Assert.NotEqual("", d["kind"].Text());
            Assert.NotEqual("", KubernetesManifests.Name(d));
        });
    }

    [Fact]
    public async Task Every_AppHost_app_id_runs_with_the_same_app_port_protocol_and_sidecar_settings()
    {
        var apps = await AppsAsync();

        Assert.Equal(apps.Select(a => a.AppId).Distinct().Order(),
            _manifests.Workloads.Select(w => KubernetesManifests.Annotations(w)["dapr.io/app-id"]).Order());
        foreach (var (app, appId, args) in apps)
        {
            var workload = _manifests.WorkloadOf(appId);
            var annotations = KubernetesManifests.Annotations(workload);
            var container = KubernetesManifests.Container(workload);
            var env = KubernetesManifests.Env(workload);
            var httpPort = container["ports"]!.AsArray().Single(p => p!["name"].Text() == "http")!["containerPort"].Text();

            // The AppHost points daprd at the app's "http" endpoint; in the pod that is the container port named http.
            Assert.Equal($"{{{app}.bindings.http.port}}", args.ValueOf("--app-port"));
            Assert.Equal(httpPort, annotations["dapr.io/app-port"]);
            Assert.Equal(httpPort, env["ASPNETCORE_HTTP_PORTS"]["value"].Text());
            Assert.Equal("true", annotations["dapr.io/enabled"]);
            Assert.Equal(args.ValueOf("--app-protocol"), annotations["dapr.io/app-protocol"]);
            Assert.Equal(args.ValueOf("--max-body-size"), annotations["dapr.io/max-body-size"]);
            Assert.Equal(args.ValueOf("--log-level"), annotations["dapr.io/log-level"]);
            Assert.Equal(args.ValueOf("--dapr-graceful-shutdown-seconds"), annotations["dapr.io/graceful-shutdown-seconds"]);
            Assert.Equal(DaprResource.KindAndName(args.ValueOf("--config")).Name, annotations["dapr.io/config"]);
            Assert.Equal("false", annotations["dapr.io/enable-api-logging"]);
            Assert.DoesNotContain("dapr.io/app-max-concurrency", annotations.Keys);
            Assert.All(annotations.Keys.Where(k => k.StartsWith("dapr.io/", StringComparison.Ordinal)),
                k => Assert.Contains(k["dapr.io/".Length..], DaprFlags.Annotations));
            // Longer than daprd's own drain, or the kubelet kills the pod mid-drain.
            Assert.True(int.Parse(workload["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"].Text())
                        > int.Parse(annotations["dapr.io/graceful-shutdown-seconds"]));
        }
    }

    [Fact]
    public async Task Each_container_has_the_environment_names_the_AppHost_gives_its_service_and_no_others()
    {
        foreach (var (app, appId, _) in await AppsAsync())
        {
            var expected = (await model.EnvironmentAsync(app)).Keys
                .Where(k => !AspireOnly.Contains(k) && !InjectedByDapr.Contains(k)).ToHashSet();
            var actual = KubernetesManifests.Env(_manifests.WorkloadOf(appId)).Keys.ToHashSet();

            Assert.Empty(expected.Except(actual));
            Assert.Empty(actual.Except(expected).Except(KubernetesOnly).Except(["OTEL_EXPORTER_OTLP_ENDPOINT"]));
            Assert.Equal(appId, KubernetesManifests.Env(_manifests.WorkloadOf(appId))["Dapr__AppId"]["value"].Text());
        }
    }

    [Fact]
    public async Task Tokens_keys_and_connection_strings_come_from_secrets_never_from_the_manifest()
    {
        foreach (var (app, appId, _) in await AppsAsync())
        {
            var workload = _manifests.WorkloadOf(appId);
            var env = KubernetesManifests.Env(workload);
            var secretNames = (await model.EnvironmentAsync(app))
                .Where(e => IsSecretParameter(e.Value) || e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                .Select(e => e.Key).ToList();

            Assert.NotEmpty(secretNames);
            Assert.All(secretNames.Append("Media__UrlSigningKey").Where(env.ContainsKey), name =>
            {
                Assert.Null(env[name]["value"]);
                Assert.NotNull(env[name]["valueFrom"]?["secretKeyRef"]);
            });
            // daprd gets the tokens from the Secrets its annotations name (key "token"); the app must read the same ones.
            var annotations = KubernetesManifests.Annotations(workload);
            Assert.Equal(annotations["dapr.io/api-token-secret"], SecretOf(env["DAPR_API_TOKEN"]).Name);
            Assert.Equal(annotations["dapr.io/app-token-secret"], SecretOf(env["APP_API_TOKEN"]).Name);
            Assert.Equal("token", SecretOf(env["DAPR_API_TOKEN"]).Key);
            Assert.Equal("token", SecretOf(env["APP_API_TOKEN"]).Key);
        }
        Assert.Empty(_manifests.OfKind("Secret"));
    }

    [Fact]
    public void No_development_setting_or_test_clock_reaches_the_cluster()
    {
        foreach (var workload in _manifests.Workloads)
        {
            var env = KubernetesManifests.Env(workload);
            Assert.All(DevelopmentOnly, name => Assert.DoesNotContain(name, env.Keys));
            Assert.Equal("Production", env["ASPNETCORE_ENVIRONMENT"]["value"].Text());
            Assert.Equal("Production", env["DOTNET_ENVIRONMENT"]["value"].Text());
        }
        var everything = string.Join('\n', _manifests.Files.Select(f => File.ReadAllText(Path.Combine(RepositoryPaths.Kubernetes, f))));
        Assert.DoesNotContain("TestClock", everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("devstoreaccount1", everything, StringComparison.Ordinal); // Azurite's published key
    }

    [Fact]
    public async Task The_gateway_is_a_StatefulSet_whose_pod_name_is_its_instance_id()
    {
        var gateway = _manifests.WorkloadOf("gateway");
        var instanceId = KubernetesManifests.Env(gateway)["Gateway__InstanceId"];

        Assert.Equal("StatefulSet", gateway["kind"].Text());
        Assert.Equal("metadata.name", instanceId["valueFrom"]?["fieldRef"]?["fieldPath"].Text());
        // The same setting the AppHost gives each gateway process its name through.
        Assert.Equal("gateway-a", (await model.EnvironmentAsync("gateway-a"))["Gateway__InstanceId"]);
        var governing = _manifests.Named("Service", gateway["spec"]!["serviceName"].Text());
        Assert.Equal("None", governing["spec"]!["clusterIP"].Text());
        Assert.All(_manifests.Workloads.Where(w => w != gateway), w => Assert.Equal("Deployment", w["kind"].Text()));
    }

    [Fact]
    public void Every_workload_has_probes_on_the_ServiceDefaults_endpoints_resources_and_a_disruption_budget()
    {
        foreach (var workload in _manifests.Workloads)
        {
            var container = KubernetesManifests.Container(workload);
            var labels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

            // /health includes the sidecar check (ready), /alive only the process (live): see ServiceDefaults/Extensions.cs.
            Assert.Equal("/health", container["readinessProbe"]?["httpGet"]?["path"].Text());
            Assert.Equal("/alive", container["livenessProbe"]?["httpGet"]?["path"].Text());
            Assert.Equal("http", container["readinessProbe"]?["httpGet"]?["port"].Text());
            Assert.Equal("http", container["livenessProbe"]?["httpGet"]?["port"].Text());
            foreach (var bound in new[] { "requests", "limits" })
            {
                Assert.NotEqual("", container["resources"]?[bound]?["cpu"].Text());
                Assert.NotEqual("", container["resources"]?[bound]?["memory"].Text());
            }
            Assert.Contains(_manifests.OfKind("PodDisruptionBudget"), pdb => Selects(pdb["spec"]!["selector"]!["matchLabels"]!.AsObject(), labels));
            Assert.True(int.Parse(workload["spec"]!["replicas"].Text()) >= 2, $"{KubernetesManifests.Name(workload)}: one replica is an outage per restart");
        }
    }

    [Theory]
    [InlineData("chatservice")]
    [InlineData("gateway")]
    public void The_chat_service_and_the_gateway_scale_with_an_autoscaler(string appId)
    {
        var workload = _manifests.WorkloadOf(appId);

        var hpa = Assert.Single(_manifests.OfKind("HorizontalPodAutoscaler"),
            h => h["spec"]!["scaleTargetRef"]!["name"].Text() == KubernetesManifests.Name(workload));
        Assert.Equal(workload["kind"].Text(), hpa["spec"]!["scaleTargetRef"]!["kind"].Text());
        Assert.True(int.Parse(hpa["spec"]!["minReplicas"].Text()) >= 2);
    }

    [Fact]
    public void Images_are_the_repositories_the_service_projects_publish()
    {
        var published = new[] { "ChatService", "ConnectionGateway", "MediaService" }
            .Select(p => XDocument.Load(Path.Combine(RepositoryPaths.Root, p, $"{p}.csproj")).Descendants("ContainerRepository").Single().Value)
            .Order();

        Assert.Equal(published, _manifests.Workloads.Select(w => KubernetesManifests.Container(w)["image"].Text()).Order());
        Assert.Equal(published, _manifests.Kustomization["images"]!.AsArray().Select(i => i!["name"].Text()).Order());
    }

    [Fact]
    public async Task Every_local_component_has_its_CRD_counterpart_with_the_same_settings_and_scopes()
    {
        // Every app with a sidecar, the push sender (a node executable, not a project) included.
        var appIds = await SidecarAppIdsAsync();
        var crds = _manifests.OfKind("Component").ToList();
        var local = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "components"), "*.yaml").SelectMany(YamlDocuments.Load).ToList();

        Assert.All(crds, crd => Assert.Subset(appIds, Scopes(crd).ToHashSet()));
        foreach (var component in local)
        {
            var type = component["spec"]!["type"].Text();
            // Locally secrets come from the sidecar's environment; in a cluster from Kubernetes Secrets.
            var crd = type.StartsWith("secretstores.", StringComparison.Ordinal)
                ? Assert.Single(crds, c => c["spec"]!["type"].Text() == "secretstores.kubernetes")
                : _manifests.Named("Component", KubernetesManifests.Name(component));
            IReadOnlyCollection<string> scopes = Scopes(component) is { Count: > 0 } scoped ? scoped : appIds;

            Assert.Equal(scopes.Order(), Scopes(crd).Order());
            if (!type.StartsWith("secretstores.", StringComparison.Ordinal))
            {
                Assert.Equal(type, crd["spec"]!["type"].Text());
                Assert.Equal(component["spec"]!["version"].Text(), crd["spec"]!["version"].Text());
                var crdMetadata = Metadata(crd);
                foreach (var (name, item) in Metadata(component))
                {
                    Assert.True(crdMetadata.ContainsKey(name), $"{KubernetesManifests.Name(crd)} lacks metadata {name}");
                    if (item["secretKeyRef"] is null)
                    {
                        Assert.Equal(item["value"].Text(), crdMetadata[name]["value"].Text());
                    }
                    else
                    {
                        Assert.NotNull(crdMetadata[name]["secretKeyRef"]);
                    }
                }
                // Only secrets may be added for the cluster (a managed Redis has a password; the local one has none).
                Assert.All(crdMetadata.Keys.Except(Metadata(component).Keys), extra => Assert.NotNull(crdMetadata[extra]["secretKeyRef"]));
                if (crd["auth"]?["secretStore"] is { } store)
                {
                    Assert.Equal("secretstores.kubernetes", _manifests.Named("Component", store.Text())["spec"]!["type"].Text());
                }
            }
        }
        Assert.Equal(local.Count, crds.Count);
    }

    [Fact]
    public async Task Daprds_configuration_and_resiliency_are_the_same_documents_in_the_cluster()
    {
        var appIds = (await AppsAsync()).Select(a => a.AppId).Distinct().Order().ToList();
        var daprd = Path.Combine(RepositoryPaths.Root, "components", "daprd");
        var resiliency = YamlDocuments.Load(Path.Combine(daprd, "resiliency.yaml")).Single();
        var config = YamlDocuments.Load(Path.Combine(daprd, "config.yaml")).Single();

        var crd = _manifests.Named("Resiliency", KubernetesManifests.Name(resiliency));
        Assert.Equal(resiliency["spec"]!.ToJsonString(), crd["spec"]!.ToJsonString());
        Assert.Equal(appIds, Scopes(crd).Order());
        Assert.Equal(appIds, Scopes(resiliency).Order());
        // Every actor type and component a policy names exists.
        Assert.All(crd["spec"]!["targets"]!["components"]!.AsObject(), target => _manifests.Named("Component", target.Key));
        var configuration = _manifests.Named("Configuration", KubernetesManifests.Name(config));
        Assert.NotEqual("", configuration["spec"]?["tracing"]?["samplingRate"].Text());
        Assert.NotEqual("", configuration["spec"]?["tracing"]?["otel"]?["endpointAddress"].Text());
    }

    private async Task<IReadOnlyList<(string App, string AppId, IReadOnlyList<string> Args)>> AppsAsync()
    {
        var apps = new List<(string, string, IReadOnlyList<string>)>();
        foreach (var project in model.Projects.Where(p => model.Model.Resources.Any(r => r.Name == $"{p.Name}-dapr")))
        {
            var args = await model.ArgsAsync($"{project.Name}-dapr");
            apps.Add((project.Name, args.ValueOf("--app-id"), args));
        }
        return apps;
    }

    private async Task<HashSet<string>> SidecarAppIdsAsync()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sidecar in model.Model.Resources.Where(r => r.Name.EndsWith("-dapr", StringComparison.Ordinal)))
        {
            ids.Add((await model.ArgsAsync(sidecar.Name)).ValueOf("--app-id"));
        }
        return ids;
    }

    private static bool IsSecretParameter(string renderedValue) =>
        renderedValue is "{app-api-token.value}" or "{dapr-api-token.value}" or "{media-internal-key.value}" or "{auth-signing-key.value}"
        or "{delivery-seal-key.value}";

    private static (string Name, string Key) SecretOf(JsonObject env) =>
        (env["valueFrom"]!["secretKeyRef"]!["name"].Text(), env["valueFrom"]!["secretKeyRef"]!["key"].Text());

    private static IReadOnlyList<string> Scopes(JsonObject resource) =>
        resource["scopes"]?.AsArray().Select(s => s.Text()).ToList() ?? [];

    private static Dictionary<string, JsonObject> Metadata(JsonObject component) =>
        component["spec"]!["metadata"]!.AsArray().Select(m => m!.AsObject()).ToDictionary(m => m["name"].Text());

    private static bool Selects(JsonObject matchLabels, JsonObject labels) =>
        matchLabels.All(l => labels[l.Key].Text() == l.Value.Text());
}
