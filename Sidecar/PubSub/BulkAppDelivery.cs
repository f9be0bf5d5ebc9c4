using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Natter.Sidecar.Telemetry;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// Delivers a batch of stored events to a bulk subscription's route as daprd does (postman/http DeliverBulk): one
/// POST, application/json, of {id, type: com.dapr.event.sent.bulk, topic, pubsubname, metadata, entries: [{entryId,
/// event, metadata, contentType}]}. The event is the CloudEvent object, or for rawPayload the stored bytes in base64.
/// The answer {"statuses": [{entryId, status}]} decides per entry: SUCCESS or DROP acknowledge; RETRY, an empty or
/// unknown status, or no status at all redeliver; so does an unreadable answer, a non-2xx status or a connection
/// error for the whole batch, except 404, which drops it.
/// </summary>
public sealed class BulkAppDelivery(AppChannel.AppChannel channel, ILogger<BulkAppDelivery> logger)
{
    public const string BulkEventType = "com.dapr.event.sent.bulk";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    public async Task<DeliveryOutcome[]> DeliverAsync(Subscription subscription, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken ct)
    {
        var outcomes = new DeliveryOutcome[events.Count];
        Array.Fill(outcomes, DeliveryOutcome.Retry);
        var (body, entryIndex) = Envelope(subscription, events);
        if (entryIndex.Count > 0)
        {
            var (traceParent, traceState) = subscription.RawPayload ? (null, null) : CloudEvents.TraceContextOf(events[entryIndex.Values.Min()].Span);
            ActivityContext.TryParse(traceParent, traceState, out var parent);
            using var activity = SidecarTelemetry.Source.StartActivity($"pubsub/{subscription.Topic} deliver", ActivityKind.Consumer, parent);
            activity?.SetTag("messaging.system", "dapr");
            activity?.SetTag("messaging.destination.name", subscription.Topic);
            activity?.SetTag("messaging.batch.message_count", entryIndex.Count);
            await SendAsync(subscription, body, entryIndex, outcomes, activity?.Id ?? traceParent, ct);
        }
        foreach (var outcome in outcomes)
        {
            SidecarTelemetry.Delivered.Add(1, new TagList { { "topic", subscription.Topic }, { "outcome", outcome.ToString() } });
        }
        return outcomes;
    }

    private (byte[] Body, Dictionary<string, int> EntryIndex) Envelope(Subscription subscription, IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        var entryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("type", BulkEventType);
            w.WriteString("topic", subscription.Topic);
            w.WriteString("pubsubname", subscription.PubSubName);
            w.WriteStartObject("metadata");
            w.WriteString("pubsubName", subscription.PubSubName);
            w.WriteEndObject();
            w.WriteStartArray("entries");
            for (var i = 0; i < events.Count; i++)
            {
                var stored = events[i].Span;
                if (!subscription.RawPayload && !CloudEvents.IsJsonObject(stored))
                {
                    // As daprd: this entry fails (and is redelivered); the others still go.
                    logger.LogError("pubsub {PubSub}: an event on {Topic} is not a CloudEvent and the subscription does not set rawPayload: will redeliver",
                        subscription.PubSubName, subscription.Topic);
                    continue;
                }
                var entryId = Guid.NewGuid().ToString();
                entryIndex[entryId] = i;
                w.WriteStartObject();
                w.WriteString("entryId", entryId);
                if (subscription.RawPayload)
                {
                    w.WriteBase64String("event", stored);
                }
                else
                {
                    w.WritePropertyName("event");
                    w.WriteRawValue(stored, skipInputValidation: true);
                }
                w.WriteStartObject("metadata");
                w.WriteEndObject();
                w.WriteString("contentType", subscription.RawPayload ? CloudEvents.RawPayloadContentType : CloudEvents.ContentType);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return (buffer.WrittenSpan.ToArray(), entryIndex);
    }

    private async Task SendAsync(Subscription subscription, byte[] body, Dictionary<string, int> entryIndex, DeliveryOutcome[] outcomes,
        string? traceParent, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Route)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } },
        };
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }
        try
        {
            using var response = await channel.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                logger.LogError("pubsub {PubSub}: bulk route {Route} for topic {Topic} answered 404: non-retriable, {Count} events dropped",
                    subscription.PubSubName, subscription.Route, subscription.Topic, entryIndex.Count);
                foreach (var i in entryIndex.Values)
                {
                    outcomes[i] = DeliveryOutcome.Drop;
                }
                return;
            }
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("pubsub {PubSub}: bulk route {Route} answered {Status}: will redeliver {Count} events",
                    subscription.PubSubName, subscription.Route, (int)response.StatusCode, entryIndex.Count);
                return;
            }
            ReadStatuses(subscription, await response.Content.ReadAsByteArrayAsync(ct), entryIndex, outcomes);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("pubsub {PubSub}: bulk delivery to {Route} failed: {Error}: will redeliver", subscription.PubSubName, subscription.Route, e.Message);
        }
    }

    private void ReadStatuses(Subscription subscription, byte[] answer, Dictionary<string, int> entryIndex, DeliveryOutcome[] outcomes)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            if (document.RootElement.ValueKind != JsonValueKind.Object || Property(document.RootElement, "statuses") is not { ValueKind: JsonValueKind.Array } statuses)
            {
                logger.LogWarning("pubsub {PubSub}: bulk route {Route} answered without a statuses array: will redeliver", subscription.PubSubName, subscription.Route);
                return;
            }
            foreach (var status in statuses.EnumerateArray())
            {
                var entryId = status.ValueKind == JsonValueKind.Object && Property(status, "entryId") is { ValueKind: JsonValueKind.String } id ? id.GetString()! : "";
                if (!entryIndex.TryGetValue(entryId, out var i))
                {
                    logger.LogWarning("pubsub {PubSub}: bulk route {Route} answered for unknown entry id '{EntryId}'", subscription.PubSubName, subscription.Route, entryId);
                    continue;
                }
                var value = Property(status, "status") is { ValueKind: JsonValueKind.String } s ? s.GetString()!.ToUpperInvariant() : "";
                outcomes[i] = value switch
                {
                    "SUCCESS" => DeliveryOutcome.Success,
                    "DROP" => DeliveryOutcome.Drop,
                    _ => DeliveryOutcome.Retry,
                };
                if (outcomes[i] == DeliveryOutcome.Drop)
                {
                    logger.LogWarning("pubsub {PubSub}: the app dropped bulk entry {EntryId} on {Topic} (status DROP)", subscription.PubSubName, entryId, subscription.Topic);
                }
            }
        }
        catch (JsonException e)
        {
            logger.LogWarning("pubsub {PubSub}: bulk route {Route} answered unreadable JSON ({Error}): will redeliver", subscription.PubSubName, subscription.Route, e.Message);
        }
    }

    /// <summary>Go's encoding/json, which daprd decodes the answer with, matches field names case-insensitively.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }
}
