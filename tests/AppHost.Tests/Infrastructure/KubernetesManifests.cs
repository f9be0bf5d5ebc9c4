using System.Text.Json.Nodes;

namespace Natter.AppHost.Tests.Infrastructure;

/// <summary>deploy/kubernetes as kustomize would assemble it: every document of every file its kustomization lists.</summary>
public sealed class KubernetesManifests
{
    public JsonObject Kustomization { get; } = YamlDocuments.Load(Path.Combine(RepositoryPaths.Kubernetes, "kustomization.yaml")).Single();

    public IReadOnlyList<string> Files { get; }

    /// <summary>Parsed once, so a document found twice is the same object.</summary>
    public IReadOnlyList<JsonObject> Documents { get; }

    public KubernetesManifests()
    {
        Files = [.. Kustomization["resources"]!.AsArray().Select(r => r.Text())];
        Documents = [.. Files.SelectMany(f => YamlDocuments.Load(Path.Combine(RepositoryPaths.Kubernetes, f)))];
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Documents.Where(d => d["kind"].Text() == kind);

    public JsonObject Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(d => d["metadata"]?["name"].Text() == name)
        ?? throw new Xunit.Sdk.XunitException($"No {kind} '{name}' in deploy/kubernetes.");

    /// <summary>Deployments and StatefulSets: what runs the services.</summary>
    public IEnumerable<JsonObject> Workloads => Documents.Where(d => d["kind"].Text() is "Deployment" or "StatefulSet");

    /// <summary>The workload whose pods carry dapr.io/app-id: appId.</summary>
    public JsonObject WorkloadOf(string appId) =>
        Workloads.SingleOrDefault(w => Annotations(w).GetValueOrDefault("dapr.io/app-id") == appId)
        ?? throw new Xunit.Sdk.XunitException($"No workload with dapr.io/app-id: {appId}.");

    public static IReadOnlyDictionary<string, string> Annotations(JsonObject workload) =>
        workload["spec"]?["template"]?["metadata"]?["annotations"]?.AsObject().ToDictionary(a => a.Key, a => a.Value.Text())
        ?? new Dictionary<string, string>();

    public static JsonObject Container(JsonObject workload) =>
        workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    /// <summary>The container's env entries by name.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Env(JsonObject workload) =>
        Container(workload)["env"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => e["name"].Text());

    public static string Name(JsonObject document) => document["metadata"]?["name"].Text() ?? "";
}
