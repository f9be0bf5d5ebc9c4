using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Bindings;
using Natter.Sidecar.Components;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Bindings;

/// <summary>bindings.cron: the OPTIONS probe, POST /{name} with "{}" on every tick, and Dapr's schedule forms.</summary>
public sealed class CronBindingTests : IDisposable
{
    private readonly ResourcesFolder _resources = new();

    private ResourcesFolder Cron(string name, string schedule, string? direction = null) =>
        _resources.Write($"{name}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: bindings.cron
              version: v1
              metadata:
                - name: schedule
                  value: "{schedule}"
            {(direction is null ? "" : $"    - name: direction\n      value: \"{direction}\"")}
            """);

    private sealed class Requests
    {
        public ConcurrentQueue<(string Method, string Path, string Body, string? ContentType)> All { get; } = new();

        public int Count(string method, string path) => All.Count(r => r.Method == method && r.Path == path);
    }

    private static async Task<TestApp> StartAppAsync(SidecarSettings settings, Requests requests, Action<WebApplication> map) =>
        await TestApp.StartAsync(settings, app =>
        {
            app.Use(async (context, next) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                requests.All.Enqueue((context.Request.Method, context.Request.Path.Value!, body, context.Request.ContentType));
                context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
                await next(context);
            });
            map(app);
        });

    [Fact]
    public async Task Cron_fires_post_with_an_empty_json_body_after_the_options_probe()
    {
        Cron("tick", "@every 1s");
        var settings = new SidecarSettings("cronapp", _resources.Path) { AppPort = FreePorts.Next() };
        var requests = new Requests();
        await using var app = await StartAppAsync(settings, requests, a => a.MapPost("/tick", () => Results.Ok()));
        await using var sidecar = await SidecarHost.StartAsync(settings);

        Assert.True(await Eventually.TrueAsync(() => requests.Count("POST", "/tick") >= 2));
        Assert.Equal(1, requests.Count("OPTIONS", "/tick"));
        var post = requests.All.First(r => r.Method == "POST");
        Assert.Equal("{}", post.Body);
        Assert.StartsWith("application/json", post.ContentType);
    }

    [Fact]
    public async Task Cron_is_not_fired_when_the_probe_finds_no_handler()
    {
        Cron("orphan", "@every 1s");
        var settings = new SidecarSettings("cronapp2", _resources.Path) { AppPort = FreePorts.Next() };
        var requests = new Requests();
        await using var app = await StartAppAsync(settings, requests, _ => { });
        await using var sidecar = await SidecarHost.StartAsync(settings);

        Assert.True(await Eventually.TrueAsync(() => requests.Count("OPTIONS", "/orphan") == 1));
        Assert.True(await Eventually.StaysTrueAsync(() => requests.Count("POST", "/orphan") == 0, TimeSpan.FromSeconds(2.5)));
    }

    [Fact]
    public async Task Cron_declared_as_input_skips_the_probe()
    {
        Cron("declared", "@every 1s", direction: "input");
        var settings = new SidecarSettings("cronapp3", _resources.Path) { AppPort = FreePorts.Next() };
        var requests = new Requests();
        await using var app = await StartAppAsync(settings, requests, a => a.MapPost("/declared", () => Results.Ok()));
        await using var sidecar = await SidecarHost.StartAsync(settings);

        Assert.True(await Eventually.TrueAsync(() => requests.Count("POST", "/declared") >= 1));
        Assert.Equal(0, requests.Count("OPTIONS", "/declared"));
    }

    [Theory]
    [InlineData("@every 10s", "2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z")]
    [InlineData("@every 1m30s", "2026-01-01T00:00:00Z", "2026-01-01T00:01:30Z")]
    [InlineData("@every 1h", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z")]
    [InlineData("@daily", "2026-01-01T10:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("@midnight", "2026-01-01T10:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("@hourly", "2026-01-01T10:20:00Z", "2026-01-01T11:00:00Z")]
    [InlineData("@weekly", "2026-01-01T10:00:00Z", "2026-01-04T00:00:00Z")]
    [InlineData("@monthly", "2026-01-15T10:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("*/15 * * * * *", "2026-01-01T00:00:01Z", "2026-01-01T00:00:15Z")]
    [InlineData("30 2 * * *", "2026-01-01T00:00:00Z", "2026-01-01T02:30:00Z")]
    public void Schedule_forms_compute_the_next_fire(string schedule, string after, string expected)
    {
        var next = CronSchedule.Parse(schedule, "test.yaml").Next(DateTimeOffset.Parse(after));

        Assert.Equal(DateTimeOffset.Parse(expected), next);
    }

    [Theory]
    [InlineData("@every")]
    [InlineData("@every 5 parsecs")]
    [InlineData("* * *")]
    [InlineData("61 * * * *")]
    public void Bad_schedules_are_rejected(string schedule)
    {
        var error = Assert.Throws<ComponentFileException>(() => CronSchedule.Parse(schedule, "cron.yaml"));

        Assert.Equal("spec.metadata[schedule]", error.Field);
    }

    public void Dispose() => _resources.Dispose();
}
