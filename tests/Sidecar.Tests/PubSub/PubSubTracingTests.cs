using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Telemetry;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.PubSub;

/// <summary>The sidecar's spans: publish and delivery continue the publisher's trace, and the app sees the delivery span.</summary>
public sealed class PubSubTracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public PubSubTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SidecarTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task Publish_and_delivery_spans_continue_the_publisher_trace()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        var topic = $"traced-{Guid.NewGuid():N}";
        var log = new DeliveryLog();
        var settings = new SidecarSettings("traceapp", resources.Path) { AppPort = FreePorts.Next() };
        await using var app = await TestApp.StartAsync(settings, a => a.MapPost("/t", async (HttpRequest r) =>
        {
            log.Add(await Delivery.ReadAsync(r));
            return Results.Ok();
        }).WithTopic("pubsub", topic), useCloudEvents: false);
        await using var sidecar = await SidecarHost.StartAsync(settings);
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(settings, topic)));
        var traceId = ActivityTraceId.CreateRandom();
        using var http = sidecar.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.0/publish/pubsub/{topic}") { Content = new StringContent("1") };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        await http.SendAsync(request);

        Assert.True(await Eventually.TrueAsync(() => log.Count == 1 && _stopped.Any(a => a.OperationName == $"pubsub/{topic} deliver")));
        var publish = Assert.Single(_stopped, a => a.OperationName == $"pubsub/{topic} publish");
        var deliver = Assert.Single(_stopped, a => a.OperationName == $"pubsub/{topic} deliver");
        Assert.Equal(traceId, publish.TraceId);
        Assert.Equal(traceId, deliver.TraceId);
        Assert.Equal(publish.SpanId, deliver.ParentSpanId);
        Assert.Equal(deliver.Id, log.All[0].TraceParent);
    }

    public void Dispose() => _listener.Dispose();
}
