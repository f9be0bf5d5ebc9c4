using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.InMemory;

/// <summary>state.in-memory and pubsub.in-memory: the same semantics as the Redis components, no Redis.</summary>
public sealed class InMemoryComponentTests : IAsyncLifetime
{
    private readonly ResourcesFolder _resources = new ResourcesFolder().WithInMemory();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly DeliveryLog _log = new();
    private readonly string _topic = $"mem-{Guid.NewGuid():N}";
    private SidecarSettings _settings = null!;
    private TestApp _app = null!;
    private SidecarHost _sidecar = null!;
    private DaprClient _dapr = null!;

    public async Task InitializeAsync()
    {
        _settings = new SidecarSettings("memapp", _resources.Path) { AppPort = FreePorts.Next() };
        _app = await TestApp.StartAsync(_settings, app => app.MapPost("/mem", async (HttpRequest request) =>
        {
            var delivery = await Delivery.ReadAsync(request);
            _log.Add(delivery);
            return _log.CountOf(delivery.Id) == 1 && delivery.CloudEvent.GetProperty("data").GetString() == "retry-me"
                ? Results.Json(new { status = "RETRY" })
                : Results.Ok();
        }).WithTopic("pubsub", _topic), useCloudEvents: false);
        // The TTL test moves a fake clock; delivery retries run on real time and are unaffected.
        _sidecar = await SidecarHost.StartAsync(_settings, builder => builder.Services.AddSingleton<TimeProvider>(_time));
        _dapr = _sidecar.CreateClient();
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(_settings, _topic)));
    }

    public async Task DisposeAsync()
    {
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task In_memory_state_round_trips_with_etag_checks()
    {
        await _dapr.SaveStateAsync("statestore", "k", "v1");
        var (value, etag) = await _dapr.GetStateAndETagAsync<string>("statestore", "k");

        Assert.Equal("v1", value);
        Assert.True(await _dapr.TrySaveStateAsync("statestore", "k", "v2", etag));
        Assert.False(await _dapr.TrySaveStateAsync("statestore", "k", "v3", etag));
        Assert.Equal("v2", await _dapr.GetStateAsync<string>("statestore", "k"));
    }

    [Fact]
    public async Task In_memory_state_expires_after_its_ttl()
    {
        await _dapr.SaveStateAsync("statestore", "ttl", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "2" });
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("x", await _dapr.GetStateAsync<string>("statestore", "ttl"));

        _time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.Null(await _dapr.GetStateAsync<string>("statestore", "ttl"));
    }

    [Fact]
    public async Task In_memory_transaction_with_a_stale_etag_changes_nothing()
    {
        await _dapr.SaveStateAsync("statestore", "a", "a0");

        await Assert.ThrowsAnyAsync<Exception>(() => _dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("a", "\"a1\""u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest("b", "\"b1\""u8.ToArray(), StateOperationType.Upsert, "42"),
        ]));

        Assert.Equal("a0", await _dapr.GetStateAsync<string>("statestore", "a"));
        Assert.Null(await _dapr.GetStateAsync<string>("statestore", "b"));
    }

    [Fact]
    public async Task In_memory_pubsub_delivers_and_redelivers_on_retry()
    {
        await _dapr.PublishEventAsync("pubsub", _topic, "hello");
        await _dapr.PublishEventAsync("pubsub", _topic, "retry-me");

        Assert.True(await Eventually.TrueAsync(() => _log.All.Count(d => d.CloudEvent.GetProperty("data").GetString() == "retry-me") >= 2));
        Assert.Contains(_log.All, d => d.CloudEvent.GetProperty("data").GetString() == "hello" && d.Field("source") == "memapp");
    }
}
