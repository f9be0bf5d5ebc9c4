using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.PubSub;

/// <summary>
/// rawPayload in both directions, as daprd does it: a publish with metadata rawPayload=true stores the bytes without
/// an envelope; a subscription whose metadata says rawPayload=true gets those bytes wrapped in a CloudEvent with
/// data_base64 (datacontenttype application/octet-stream), which Dapr.AspNetCore's middleware unwraps into the body.
/// A subscription without rawPayload gets the stored bytes as they are, parsed as a CloudEvent.
/// </summary>
public sealed class RawPayloadTests : IAsyncLifetime
{
    private readonly ResourcesFolder _resources = new ResourcesFolder().WithInMemory();
    private readonly string _rawTopic = $"raw-{Guid.NewGuid():N}";
    private readonly string _envelopeTopic = $"raw-envelope-{Guid.NewGuid():N}";
    private readonly string _plainTopic = $"plain-{Guid.NewGuid():N}";
    private readonly ConcurrentQueue<(byte[] Body, string? ContentType)> _sdkBodies = new();
    private readonly DeliveryLog _envelopes = new();
    private readonly DeliveryLog _plain = new();
    private SidecarSettings _settings = null!;
    private TestApp _app = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _settings = new SidecarSettings("rawapp", _resources.Path) { AppPort = FreePorts.Next() };
        _app = await TestApp.StartAsync(_settings, app =>
        {
            // The SDK's CloudEvents middleware only on /sdk, so the other routes can inspect what the sidecar sent.
            app.UseWhen(c => c.Request.Path.StartsWithSegments("/sdk"), b => b.UseCloudEvents());
            app.MapPost("/sdk/raw", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                _sdkBodies.Enqueue((body.ToArray(), request.ContentType));
                return Results.Ok();
            }).WithTopic("pubsub", _rawTopic, enableRawPayload: true);
            app.MapPost("/raw-envelope", async (HttpRequest request) =>
            {
                _envelopes.Add(await Delivery.ReadAsync(request));
                return Results.Ok();
            }).WithTopic("pubsub", _envelopeTopic, enableRawPayload: true);
            app.MapPost("/plain", async (HttpRequest request) =>
            {
                _plain.Add(await Delivery.ReadAsync(request));
                return Results.Ok();
            }).WithTopic("pubsub", _plainTopic);
        }, useCloudEvents: false);
        _sidecar = await SidecarHost.StartAsync(_settings);
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(_settings, _plainTopic)));
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Raw_publish_over_http_reaches_a_raw_sdk_subscriber_as_the_published_bytes()
    {
        using var http = _sidecar.CreateHttpClient();
        var published = """{"order-number":"345"}""";

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_rawTopic}?metadata.rawPayload=true",
            new StringContent(published, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await Eventually.TrueAsync(() => !_sdkBodies.IsEmpty));
        var (body, contentType) = Assert.Single(_sdkBodies);
        Assert.Equal(published, Encoding.UTF8.GetString(body));
        Assert.Equal("application/octet-stream", contentType);
    }

    [Fact]
    public async Task Raw_publish_over_grpc_with_binary_data_reaches_a_raw_sdk_subscriber_unchanged()
    {
        using var dapr = _sidecar.CreateClient();
        byte[] published = [0x00, 0xff, 0x10, 0x80, 0x7f];

        await dapr.PublishByteEventAsync("pubsub", _rawTopic, published, "application/octet-stream",
            new Dictionary<string, string> { ["rawPayload"] = "true" });

        Assert.True(await Eventually.TrueAsync(() => !_sdkBodies.IsEmpty));
        Assert.Equal(published, Assert.Single(_sdkBodies).Body);
    }

    [Fact]
    public async Task A_raw_subscriber_gets_daprds_wrapping_cloud_event_with_data_base64()
    {
        using var http = _sidecar.CreateHttpClient();

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_envelopeTopic}?metadata.rawPayload=true",
            new StringContent("not json at all", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await Eventually.TrueAsync(() => _envelopes.Count > 0));
        var delivery = Assert.Single(_envelopes.All);
        Assert.Equal("application/cloudevents+json", delivery.ContentType);
        Assert.Equal("not json at all", Encoding.UTF8.GetString(Convert.FromBase64String(delivery.Field("data_base64")!)));
        Assert.Equal("application/octet-stream", delivery.Field("datacontenttype"));
        Assert.Equal("com.dapr.event.sent", delivery.Field("type"));
        Assert.Equal("1.0", delivery.Field("specversion"));
        Assert.Equal(_envelopeTopic, delivery.Field("topic"));
        Assert.Equal("pubsub", delivery.Field("pubsubname"));
        Assert.False(string.IsNullOrEmpty(delivery.Field("id")));
        Assert.False(delivery.CloudEvent.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_raw_subscriber_also_gets_ordinary_cloud_events_as_their_stored_bytes_in_data_base64()
    {
        using var dapr = _sidecar.CreateClient();

        await dapr.PublishEventAsync("pubsub", _envelopeTopic, new { n = 1 });

        Assert.True(await Eventually.TrueAsync(() => _envelopes.Count > 0));
        var wrapped = Convert.FromBase64String(Assert.Single(_envelopes.All).Field("data_base64")!);
        using var inner = JsonDocument.Parse(wrapped);
        Assert.Equal(1, inner.RootElement.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("rawapp", inner.RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_subscriber_without_raw_payload_gets_raw_json_exactly_as_published()
    {
        using var http = _sidecar.CreateHttpClient();

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_plainTopic}?metadata.rawPayload=true",
            new StringContent("""{"id":"own-id","x":1}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await Eventually.TrueAsync(() => _plain.Count > 0));
        var delivery = Assert.Single(_plain.All);
        Assert.Equal("own-id", delivery.Id);
        Assert.Equal(1, delivery.CloudEvent.GetProperty("x").GetInt32());
        Assert.False(delivery.CloudEvent.TryGetProperty("source", out _));
    }

    [Fact]
    public async Task An_invalid_raw_payload_flag_is_refused_with_daprds_error()
    {
        using var http = _sidecar.CreateHttpClient();

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_plainTopic}?metadata.rawPayload=maybe",
            new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ERR_PUBSUB_REQUEST_METADATA", error.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task An_invalid_raw_payload_flag_over_grpc_is_invalid_argument()
    {
        using var dapr = _sidecar.CreateClient();

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.PublishEventAsync("pubsub", _plainTopic, "x",
            new Dictionary<string, string> { ["rawPayload"] = "maybe" }));

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, Assert.IsType<global::Grpc.Core.RpcException>(failure.InnerException).StatusCode);
    }

    [Fact]
    public async Task Metadata_reports_a_raw_subscription_with_its_metadata()
    {
        var metadata = await SidecarMetadata.GetAsync(_settings);

        var raw = metadata.GetProperty("subscriptions").EnumerateArray().Single(s => s.GetProperty("topic").GetString() == _rawTopic);
        Assert.Equal("true", raw.GetProperty("metadata").GetProperty("rawPayload").GetString());
    }
}
