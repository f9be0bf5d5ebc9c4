using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.PubSub;

/// <summary>
/// Bulk subscribe as daprd's default bulk subscriber does it: events are batched up to maxMessagesCount or for
/// maxAwaitDurationMs after the first, POSTed as one BulkSubscribeMessage (application/json, entries of
/// {entryId, event, contentType, metadata}); the app's per-entry statuses decide: SUCCESS and DROP acknowledge,
/// RETRY, an unknown status or a missing entry redeliver. Driven by an app using Dapr.AspNetCore's WithBulkSubscribe.
/// </summary>
public sealed class BulkSubscribeTests : IAsyncLifetime
{
    private const int MaxMessagesCount = 3;

    private readonly ResourcesFolder _resources = new ResourcesFolder().WithInMemory();
    private readonly string _topic = $"bulk-{Guid.NewGuid():N}";
    private readonly string _rawTopic = $"bulk-raw-{Guid.NewGuid():N}";
    private readonly ConcurrentQueue<BulkSubscribeMessage<JsonElement>> _batches = new();
    private readonly ConcurrentQueue<BulkSubscribeMessage<JsonElement>> _rawBatches = new();
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private SidecarSettings _settings = null!;
    private TestApp _app = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _settings = new SidecarSettings("bulkapp", _resources.Path) { AppPort = FreePorts.Next() };
        _app = await TestApp.StartAsync(_settings, app =>
        {
            app.MapPost("/bulk", (BulkSubscribeMessage<JsonElement> message) =>
            {
                _batches.Enqueue(message);
                var statuses = new List<BulkSubscribeAppResponseEntry>();
                foreach (var entry in message.Entries ?? [])
                {
                    var data = entry.Event.GetProperty("data").GetString()!;
                    var firstTime = _seen.AddOrUpdate(data, 1, (_, n) => n + 1) == 1;
                    if (data == "omit-me" && firstTime)
                    {
                        continue; // no status for this entry: daprd redelivers it
                    }
                    statuses.Add(new BulkSubscribeAppResponseEntry(entry.EntryId,
                        data == "retry-me" && firstTime ? BulkSubscribeAppResponseStatus.RETRY
                        : data == "drop-me" ? BulkSubscribeAppResponseStatus.DROP
                        : BulkSubscribeAppResponseStatus.SUCCESS));
                }
                return Results.Ok(new BulkSubscribeAppResponse(statuses));
            }).WithTopic("pubsub", _topic)
              .WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = _topic, MaxMessagesCount = MaxMessagesCount, MaxAwaitDurationMs = 200 });

            app.MapPost("/bulk-raw", (BulkSubscribeMessage<JsonElement> message) =>
            {
                _rawBatches.Enqueue(message);
                return Results.Ok(new BulkSubscribeAppResponse(
                    (message.Entries ?? []).Select(e => new BulkSubscribeAppResponseEntry(e.EntryId, BulkSubscribeAppResponseStatus.SUCCESS)).ToList()));
            }).WithTopic("pubsub", _rawTopic, enableRawPayload: true)
              .WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = _rawTopic, MaxMessagesCount = 10, MaxAwaitDurationMs = 100 });
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

    private IEnumerable<BulkSubscribeMessageEntry<JsonElement>> Entries => _batches.SelectMany(b => b.Entries ?? []);

    private int SeenCount(string data) => _seen.TryGetValue(data, out var n) ? n : 0;

    [Fact]
    public async Task Every_event_reaches_the_bulk_handler_as_an_entry_in_batches_of_at_most_max_messages_count()
    {
        using var dapr = _sidecar.CreateClient();
        var published = Enumerable.Range(0, 7).Select(i => $"event-{i}").ToArray();

        foreach (var data in published)
        {
            await dapr.PublishEventAsync("pubsub", _topic, data);
        }

        Assert.True(await Eventually.TrueAsync(() => published.All(d => SeenCount(d) == 1)));
        Assert.All(_batches, b => Assert.InRange(b.Entries.Count, 1, MaxMessagesCount));
        Assert.All(_batches, b => Assert.Equal(_topic, b.Topic));
        Assert.All(_batches, b => Assert.Equal("pubsub", b.Metadata["pubsubName"]));
        var entry = Entries.First();
        Assert.False(string.IsNullOrEmpty(entry.EntryId));
        Assert.Equal("application/cloudevents+json", entry.ContentType);
        Assert.Equal("com.dapr.event.sent", entry.Event.GetProperty("type").GetString());
        Assert.Equal(Entries.Count(), Entries.Select(e => e.EntryId).Distinct().Count());
    }

    [Fact]
    public async Task Entries_answered_retry_or_left_without_a_status_are_redelivered_and_the_rest_are_not()
    {
        using var dapr = _sidecar.CreateClient();

        await dapr.PublishEventAsync("pubsub", _topic, "ok-1");
        await dapr.PublishEventAsync("pubsub", _topic, "retry-me");
        await dapr.PublishEventAsync("pubsub", _topic, "omit-me");
        await dapr.PublishEventAsync("pubsub", _topic, "drop-me");

        Assert.True(await Eventually.TrueAsync(() => SeenCount("retry-me") >= 2 && SeenCount("omit-me") >= 2));
        // Redelivered entries come back after the in-memory retry delay; anything wrongly retried with them would
        // have come back by now too.
        Assert.True(await Eventually.StaysTrueAsync(() => SeenCount("ok-1") == 1 && SeenCount("drop-me") == 1, TimeSpan.FromSeconds(1.5)));
        Assert.Equal(2, SeenCount("retry-me"));
        Assert.Equal(2, SeenCount("omit-me"));
    }

    [Fact]
    public async Task A_raw_bulk_subscriber_gets_each_entry_as_base64_of_the_published_bytes()
    {
        using var http = _sidecar.CreateHttpClient();

        using var response = await http.PostAsync($"/v1.0/publish/pubsub/{_rawTopic}?metadata.rawPayload=true",
            new StringContent("raw bytes", System.Text.Encoding.UTF8, "text/plain"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.True(await Eventually.TrueAsync(() => !_rawBatches.IsEmpty));
        var entry = Assert.Single(Assert.Single(_rawBatches).Entries);
        Assert.Equal("raw bytes", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(entry.Event.GetString()!)));
        Assert.Equal("application/octet-stream", entry.ContentType);
    }
}
