using System.Diagnostics;
using System.Net;
using System.Text;
using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.PubSub;

public sealed record OrderPlaced(string OrderId, int Amount);

/// <summary>pubsub.redis end to end: the SDK publishes, a Dapr.AspNetCore app subscribes, a real redis-server sits between.</summary>
public sealed class RedisPubSubTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private sealed class Rig(ResourcesFolder resources, SidecarSettings settings, TestApp app, SidecarHost sidecar) : IAsyncDisposable
    {
        public SidecarSettings Settings { get; } = settings;
        public TestApp App { get; set; } = app;
        public SidecarHost Sidecar { get; } = sidecar;
        public DaprClient Dapr { get; } = sidecar.CreateClient();

        public async ValueTask DisposeAsync()
        {
            Dapr.Dispose();
            await Sidecar.DisposeAsync();
            await App.DisposeAsync();
            resources.Dispose();
        }
    }

    private static string NewAppId() => $"app{Guid.NewGuid():N}"[..12];

    /// <summary>An app subscribed to one topic whose handler answers with the given function; then its sidecar.</summary>
    private async Task<Rig> StartAsync(string topic, Func<Delivery, int, IResult> answer, DeliveryLog log, int concurrency = 10)
    {
        var resources = new ResourcesFolder().WithRedisPubSub(redis.Address, concurrency: concurrency);
        var settings = new SidecarSettings(NewAppId(), resources.Path) { AppPort = FreePorts.Next() };
        var app = await TestApp.StartAsync(settings, a => MapSubscriber(a, topic, answer, log), useCloudEvents: false);
        var sidecar = await SidecarHost.StartAsync(settings);
        var rig = new Rig(resources, settings, app, sidecar);
        await WaitForSubscriptionAsync(rig, topic);
        return rig;
    }

    private static void MapSubscriber(WebApplication app, string topic, Func<Delivery, int, IResult> answer, DeliveryLog log) =>
        app.MapPost($"/events/{topic}", async (HttpRequest request) =>
        {
            var delivery = await Delivery.ReadAsync(request);
            log.Add(delivery);
            return answer(delivery, log.CountOf(delivery.Id));
        }).WithTopic("pubsub", topic);

    private static async Task WaitForSubscriptionAsync(Rig rig, string topic)
    {
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(rig.Settings, topic)),
            "the sidecar did not read the app's subscription");
    }

    private async Task<long> PendingAsync(string topic, string group) =>
        (await redis.Database.StreamPendingAsync(topic, group)).PendingMessageCount;

    [Fact]
    public async Task Published_event_arrives_as_a_cloud_event_with_daprd_fields()
    {
        var log = new DeliveryLog();
        var topic = $"orders-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, _) => Results.Ok(), log);

        await rig.Dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("o-1", 42));

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 1));
        var delivery = log.All[0];
        Assert.Equal("application/cloudevents+json", delivery.ContentType);
        Assert.Equal(rig.Settings.AppId, delivery.Field("source"));
        Assert.Equal("1.0", delivery.Field("specversion"));
        Assert.Equal("com.dapr.event.sent", delivery.Field("type"));
        Assert.Equal("application/json", delivery.Field("datacontenttype"));
        Assert.Equal(topic, delivery.Field("topic"));
        Assert.Equal("pubsub", delivery.Field("pubsubname"));
        Assert.False(string.IsNullOrEmpty(delivery.Field("id")));
        Assert.True(DateTimeOffset.TryParse(delivery.Field("time"), out _));
        var data = delivery.CloudEvent.GetProperty("data");
        Assert.Equal("o-1", data.GetProperty("orderId").GetString());
        Assert.Equal(42, data.GetProperty("amount").GetInt32());
        Assert.Equal(delivery.Field("traceparent"), delivery.TraceParent);
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, rig.Settings.AppId) == 0));
    }

    [Fact]
    public async Task Publisher_trace_context_reaches_the_subscriber()
    {
        var log = new DeliveryLog();
        var topic = $"traced-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, _) => Results.Ok(), log);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var http = rig.Sidecar.CreateHttpClient();
        using var publish = new HttpRequestMessage(HttpMethod.Post, $"/v1.0/publish/pubsub/{topic}")
        {
            Content = new StringContent("""{"hello":"world"}""", Encoding.UTF8, "application/json"),
        };
        publish.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(publish)).StatusCode);

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 1));
        Assert.Equal(traceId, log.All[0].TraceParent!.Split('-')[1]);
        Assert.Equal(traceId, log.All[0].Field("traceparent")!.Split('-')[1]);
        Assert.Equal("world", log.All[0].CloudEvent.GetProperty("data").GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Non_json_data_travels_as_data_base64()
    {
        var log = new DeliveryLog();
        var topic = $"bytes-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, _) => Results.Ok(), log);

        await rig.Dapr.PublishByteEventAsync("pubsub", topic, new byte[] { 1, 2, 3 }, "application/octet-stream");

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 1));
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), log.All[0].Field("data_base64"));
        Assert.Equal("application/octet-stream", log.All[0].Field("datacontenttype"));
    }

    [Fact]
    public async Task Bulk_published_events_are_all_delivered()
    {
        var log = new DeliveryLog();
        var topic = $"bulk-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, _) => Results.Ok(), log);
        var orders = Enumerable.Range(1, 5).Select(i => new OrderPlaced($"b-{i}", i)).ToList();

        var response = await rig.Dapr.BulkPublishEventAsync("pubsub", topic, orders);

        Assert.Empty(response.FailedEntries);
        Assert.True(await Eventually.TrueAsync(() => log.Count >= 5));
        Assert.Equal(orders.Select(o => o.OrderId).Order(),
            log.All.Select(d => d.CloudEvent.GetProperty("data").GetProperty("orderId").GetString()).Order());
    }

    [Fact]
    public async Task Retry_status_redelivers_until_success()
    {
        var log = new DeliveryLog();
        var topic = $"retry-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic,
            (_, attempt) => attempt == 1 ? Results.Json(new { status = "RETRY" }) : Results.Json(new { status = "SUCCESS" }), log);

        await rig.Dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("r-1", 1));

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 2));
        Assert.Single(log.All.Select(d => d.Id).Distinct());
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, rig.Settings.AppId) == 0));
    }

    [Fact]
    public async Task Server_error_redelivers()
    {
        var log = new DeliveryLog();
        var topic = $"fail-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, attempt) => attempt == 1 ? Results.StatusCode(500) : Results.Ok(), log);

        await rig.Dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("f-1", 1));

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 2));
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, rig.Settings.AppId) == 0));
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("404")]
    public async Task Drop_status_and_404_acknowledge_without_redelivery(string answer)
    {
        var log = new DeliveryLog();
        var topic = $"drop-{answer}-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic,
            (_, _) => answer == "drop" ? Results.Json(new { status = "DROP" }) : Results.NotFound(), log);

        await rig.Dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("d-1", 1));

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 1));
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, rig.Settings.AppId) == 0));
        // processingTimeout is 2 s and redeliverInterval 0.5 s: a redelivery would show within 4 s.
        Assert.True(await Eventually.StaysTrueAsync(() => log.Count == 1, TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task Event_is_redelivered_after_the_app_dies_mid_handling()
    {
        var log = new DeliveryLog();
        var topic = $"crash-{Guid.NewGuid():N}";
        var firstAttemptStarted = new TaskCompletionSource();
        var resources = new ResourcesFolder().WithRedisPubSub(redis.Address);
        var settings = new SidecarSettings(NewAppId(), resources.Path) { AppPort = FreePorts.Next() };
        var hangingApp = await TestApp.StartAsync(settings, a => a.MapPost($"/events/{topic}", async (HttpRequest request) =>
        {
            log.Add(await Delivery.ReadAsync(request));
            firstAttemptStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted);
            return Results.Ok();
        }).WithTopic("pubsub", topic), useCloudEvents: false);
        await using var sidecar = await SidecarHost.StartAsync(settings);
        using var dapr = sidecar.CreateClient();
        await WaitForSubscriptionAsync(new Rig(resources, settings, hangingApp, sidecar), topic);

        await dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("c-1", 1));
        await firstAttemptStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await hangingApp.KillAsync();
        var healthyLog = new DeliveryLog();
        await using var restarted = await TestApp.StartAsync(settings, a => MapSubscriber(a, topic, (_, _) => Results.Ok(), healthyLog), useCloudEvents: false);

        Assert.True(await Eventually.TrueAsync(() => healthyLog.Count >= 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(log.All[0].Id, healthyLog.All[0].Id);
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, settings.AppId) == 0));
        resources.Dispose();
    }

    [Fact]
    public async Task Event_is_redelivered_by_a_new_sidecar_after_the_sidecar_crashed_mid_delivery()
    {
        var log = new DeliveryLog();
        var topic = $"sidecar-crash-{Guid.NewGuid():N}";
        var firstAttemptStarted = new TaskCompletionSource();
        using var resources = new ResourcesFolder().WithRedisPubSub(redis.Address);
        var settings = new SidecarSettings(NewAppId(), resources.Path) { AppPort = FreePorts.Next() };
        await using var app = await TestApp.StartAsync(settings, a => a.MapPost($"/events/{topic}", async (HttpRequest request) =>
        {
            var delivery = await Delivery.ReadAsync(request);
            log.Add(delivery);
            if (log.CountOf(delivery.Id) == 1)
            {
                firstAttemptStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted);
            }
            return Results.Ok();
        }).WithTopic("pubsub", topic), useCloudEvents: false);
        await using var first = await SidecarProcess.StartAsync(settings);
        using var dapr = first.CreateClient();
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(settings, topic)));

        await dapr.PublishEventAsync("pubsub", topic, new OrderPlaced("s-1", 1));
        await firstAttemptStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        first.Kill();
        await using var second = await SidecarProcess.StartAsync(settings with { HttpPort = FreePorts.Next(), GrpcPort = FreePorts.Next() });

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 2, TimeSpan.FromSeconds(30)), second.Output);
        Assert.Single(log.All.Select(d => d.Id).Distinct());
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(topic, settings.AppId) == 0));
    }

    [Fact]
    public async Task Deliveries_never_exceed_the_configured_concurrency()
    {
        var log = new DeliveryLog();
        var topic = $"bounded-{Guid.NewGuid():N}";
        var inFlight = 0;
        var maxInFlight = 0;
        // Deliveries are held open until the test has seen the bound's worth of them at once: with no bound, the
        // rest of the ten would pile in meanwhile.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resources = new ResourcesFolder().WithRedisPubSub(redis.Address, concurrency: 2);
        var settings = new SidecarSettings(NewAppId(), resources.Path) { AppPort = FreePorts.Next() };
        var app = await TestApp.StartAsync(settings, a => a.MapPost($"/events/{topic}", async (HttpRequest request) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await release.Task;
            log.Add(await Delivery.ReadAsync(request));
            Interlocked.Decrement(ref inFlight);
            return Results.Ok();
        }).WithTopic("pubsub", topic), useCloudEvents: false);
        await using var rig = new Rig(resources, settings, app, await SidecarHost.StartAsync(settings));
        await WaitForSubscriptionAsync(rig, topic);

        await rig.Dapr.BulkPublishEventAsync("pubsub", topic, Enumerable.Range(0, 10).Select(i => new OrderPlaced($"n-{i}", i)).ToList());
        Assert.True(await Eventually.TrueAsync(() => Volatile.Read(ref inFlight) >= 2));
        release.SetResult();

        Assert.True(await Eventually.TrueAsync(() => log.Count >= 10));
        Assert.Equal(2, maxInFlight);
    }

    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_is_an_error()
    {
        var topic = $"x-{Guid.NewGuid():N}";
        await using var rig = await StartAsync(topic, (_, _) => Results.Ok(), new DeliveryLog());

        var error = await Assert.ThrowsAsync<DaprException>(() => rig.Dapr.PublishEventAsync("nosuchpubsub", topic, 1));

        Assert.Contains("nosuchpubsub", error.InnerException!.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
