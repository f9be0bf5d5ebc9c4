using Microsoft.Extensions.Logging.Abstractions;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Components;

/// <summary>Component files as daprd reads them: top-level *.yaml/*.yml, scopes, secretKeyRef, and clear errors.</summary>
public sealed class ComponentLoadingTests : IDisposable
{
    private readonly ResourcesFolder _resources = new();

    private static readonly SidecarEnvironment NoEnvironment = new(new Dictionary<string, string?>());

    private IReadOnlyList<ComponentSpec> Load(string appId = "app1", SidecarEnvironment? environment = null) =>
        ComponentLoader.Load(_resources.Path, appId, environment ?? NoEnvironment, NullLogger.Instance);

    private static string Component(string name, string type, string metadata = "  metadata: []", string extra = "") => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: {type}
          version: v1
        {metadata}
        {extra}
        """;

    [Fact]
    public void Reads_yaml_and_yml_files_at_the_top_level_only()
    {
        _resources.Write("a.yaml", Component("a", "state.in-memory")).Write("b.yml", Component("b", "pubsub.in-memory"));
        Directory.CreateDirectory(Path.Combine(_resources.Path, "nested"));
        _resources.Write("nested/c.yaml", Component("c", "state.in-memory")).Write("notes.txt", "not a component");

        Assert.Equal(["a", "b"], Load().Select(c => c.Name).Order());
    }

    [Fact]
    public void Component_scoped_to_other_apps_is_ignored()
    {
        _resources.Write("mine.yaml", Component("mine", "state.in-memory", extra: "scopes:\n  - app1\n  - app2"))
            .Write("theirs.yaml", Component("theirs", "state.in-memory", extra: "scopes:\n  - app3"));

        Assert.Equal(["mine"], Load("app1").Select(c => c.Name));
        Assert.Equal(["theirs"], Load("app3").Select(c => c.Name));
    }

    [Fact]
    public void Secret_key_ref_is_resolved_from_the_env_secret_store()
    {
        _resources.Write("secrets.yaml", Component("envsecrets", "secretstores.local.env"))
            .Write("state.yaml", Component("statestore", "state.redis", """
                  metadata:
                    - name: redisHost
                      secretKeyRef:
                        name: REDIS_HOST
                        key: REDIS_HOST
                """, "auth:\n  secretStore: envsecrets"));
        var environment = new SidecarEnvironment(new Dictionary<string, string?> { ["REDIS_HOST"] = "127.0.0.1:1234" });

        var state = Load(environment: environment).Single(c => c.Name == "statestore");

        Assert.Equal("127.0.0.1:1234", state.Get("redisHost"));
    }

    [Fact]
    public void Missing_secret_names_the_file_and_field()
    {
        _resources.Write("secrets.yaml", Component("envsecrets", "secretstores.local.env"))
            .Write("state.yaml", Component("statestore", "state.redis", """
                  metadata:
                    - name: redisHost
                      secretKeyRef:
                        name: NOT_SET_ANYWHERE
                        key: NOT_SET_ANYWHERE
                """, "auth:\n  secretStore: envsecrets"));

        var error = Assert.Throws<ComponentFileException>(() => Load());

        Assert.EndsWith("state.yaml", error.File);
        Assert.Equal("spec.metadata[redisHost].secretKeyRef.name", error.Field);
        Assert.Contains("NOT_SET_ANYWHERE", error.Message);
    }

    [Fact]
    public void Unknown_component_type_stops_loading_naming_file_and_field()
    {
        _resources.Write("kafka.yaml", Component("events", "pubsub.kafka"));

        var error = Assert.Throws<ComponentFileException>(() => Load());

        Assert.EndsWith("kafka.yaml", error.File);
        Assert.Equal("spec.type", error.Field);
        Assert.Contains("pubsub.kafka", error.Message);
    }

    [Fact]
    public void Component_without_a_name_names_the_missing_field()
    {
        _resources.Write("nameless.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              labels: {}
            spec:
              type: state.in-memory
              version: v1
            """);

        var error = Assert.Throws<ComponentFileException>(() => Load());

        Assert.EndsWith("nameless.yaml", error.File);
        Assert.Equal("metadata.name", error.Field);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        _resources.Write("broken.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\n");

        var error = Assert.Throws<ComponentFileException>(() => Load());

        Assert.EndsWith("broken.yaml", error.File);
        Assert.StartsWith("line ", error.Field);
    }

    [Fact]
    public void Metadata_that_is_not_a_list_names_the_field()
    {
        _resources.Write("odd.yaml", Component("odd", "state.in-memory", "  metadata: notalist"));

        var error = Assert.Throws<ComponentFileException>(() => Load());

        Assert.Equal("spec.metadata", error.Field);
    }

    [Fact]
    public async Task Sidecar_process_with_a_bad_component_exits_with_an_error_naming_file_and_field()
    {
        _resources.Write("bad.yaml", Component("events", "bindings.kafka"));

        await using var sidecar = await SidecarProcess.StartAsync(new SidecarSettings("app1", _resources.Path), waitForHealthy: false);
        var exitCode = await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Contains("bad.yaml", sidecar.Output);
        Assert.Contains("spec.type", sidecar.Output);
    }

    [Fact]
    public async Task Bad_cron_schedule_stops_start_up_naming_file_and_field()
    {
        _resources.Write("cron.yaml", Component("tick", "bindings.cron", """
              metadata:
                - name: schedule
                  value: "every now and then"
            """));

        var error = await Assert.ThrowsAsync<ComponentFileException>(() => SidecarHost.StartAsync(new SidecarSettings("app1", _resources.Path)));

        Assert.EndsWith("cron.yaml", error.File);
        Assert.Equal("spec.metadata[schedule]", error.Field);
    }

    public void Dispose() => _resources.Dispose();
}
