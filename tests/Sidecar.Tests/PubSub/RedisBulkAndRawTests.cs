using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.PubSub;

/// <summary>Bulk subscribe and rawPayload over pubsub.redis with a real redis-server: acknowledged in the stream only when answered.</summary>
public sealed class RedisBulkAndRawTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _appId = $"app{Guid.NewGuid():N}"[..12];
    private readonly string _bulkTopic = $"bulk-{Guid.NewGuid():N}";
    private readonly string _rawTopic = $"raw-{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private readonly ConcurrentQueue<byte[]> _rawBodies = new();
    private ResourcesFolder _resources = null!;
    private SidecarSettings _settings = null!;
    private TestApp _app = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _resources = new ResourcesFolder().WithRedisPubSub(redis.Address);
        _settings = new SidecarSettings(_appId, _resources.Path) { AppPort = FreePorts.Next() };
        _app = await TestApp.StartAsync(_settings, app =>
        {
            app.UseWhen(c => c.Request.Path.StartsWithSegments("/raw"), b => b.UseCloudEvents());
            app.MapPost("/bulk", (BulkSubscribeMessage<JsonElement> message) =>
                Results.Ok(new BulkSubscribeAppResponse((message.Entries ?? []).Select(entry =>
                {
                    var data = entry.Event.GetProperty("data").GetString()!;
                    var firstTime = _seen.AddOrUpdate(data, 1, (_, n) => n + 1) == 1;
                    return new BulkSubscribeAppResponseEntry(entry.EntryId,
                        data == "retry-me" && firstTime ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS);
                }).ToList())))
                .WithTopic("pubsub", _bulkTopic)
                .WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = _bulkTopic, MaxMessagesCount = 5, MaxAwaitDurationMs = 100 });
            app.MapPost("/raw", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                _rawBodies.Enqueue(body.ToArray());
                return Results.Ok();
            }).WithTopic("pubsub", _rawTopic, enableRawPayload: true);
        }, useCloudEvents: false);
        _sidecar = await SidecarHost.StartAsync(_settings);
        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(_settings, _rawTopic)));
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
        _resources.Dispose();
    }

    private int SeenCount(string data) => _seen.TryGetValue(data, out var n) ? n : 0;

    private async Task<long> PendingAsync(string topic) => (await redis.Database.StreamPendingAsync(topic, _appId)).PendingMessageCount;

    [Fact]
    public async Task Bulk_entries_are_acknowledged_in_the_stream_and_a_retried_one_comes_back_after_processing_timeout()
    {
        using var dapr = _sidecar.CreateClient();
        string[] published = ["a", "b", "retry-me", "c"];

        foreach (var data in published)
        {
            await dapr.PublishEventAsync("pubsub", _bulkTopic, data);
        }

        Assert.True(await Eventually.TrueAsync(() => published.All(d => SeenCount(d) >= 1)));
        Assert.True(await Eventually.TrueAsync(() => SeenCount("retry-me") == 2, TimeSpan.FromSeconds(15)));
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(_bulkTopic) == 0));
        Assert.All(["a", "b", "c"], d => Assert.Equal(1, SeenCount(d)));
    }

    [Fact]
    public async Task A_raw_publish_reaches_a_raw_sdk_subscriber_as_its_bytes()
    {
        using var http = _sidecar.CreateHttpClient();

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_rawTopic}?metadata.rawPayload=true",
            new StringContent("""{"order-number":"345"}""", Encoding.UTF8, "application/json"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.True(await Eventually.TrueAsync(() => !_rawBodies.IsEmpty));
        Assert.Equal("""{"order-number":"345"}""", Encoding.UTF8.GetString(Assert.Single(_rawBodies)));
        Assert.True(await Eventually.TrueAsync(async () => await PendingAsync(_rawTopic) == 0));
    }
}
