using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Natter.Sidecar.Telemetry;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// Delivers one stored event to the app's route and reads its answer as daprd does: 2xx with no body or
/// {"status":"SUCCESS"} acknowledges, RETRY redelivers, DROP drops with a warning, 404 drops,
/// any other status or a connection error redelivers. What is stored goes as it is (daprd parses it as a CloudEvent
/// and fails the event when it is not one), or, for a rawPayload subscription, wrapped in a CloudEvent.
/// </summary>
public sealed class AppDelivery(AppChannel.AppChannel channel, ILogger<AppDelivery> logger)
{
    private static readonly MediaTypeHeaderValue CloudEventContentType = new(CloudEvents.ContentType);

    public async Task<DeliveryOutcome> DeliverAsync(Subscription subscription, ReadOnlyMemory<byte> stored, CancellationToken ct)
    {
        if (!subscription.RawPayload && !CloudEvents.IsJsonObject(stored.Span))
        {
            // A raw publish of something that is not a JSON object, read by a subscription without rawPayload.
            logger.LogError("pubsub {PubSub}: an event on {Topic} is not a CloudEvent and the subscription does not set rawPayload: will redeliver",
                subscription.PubSubName, subscription.Topic);
            return DeliveryOutcome.Retry;
        }
        var envelope = subscription.RawPayload
            ? CloudEvents.FromRawPayload(stored.Span, subscription.Topic, subscription.PubSubName)
            : stored;
        var (traceParent, traceState) = CloudEvents.TraceContextOf(envelope.Span);
        ActivityContext.TryParse(traceParent, traceState, out var parent);
        using var activity = SidecarTelemetry.Source.StartActivity($"pubsub/{subscription.Topic} deliver", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "dapr");
        activity?.SetTag("messaging.destination.name", subscription.Topic);
        var started = Stopwatch.GetTimestamp();

        var outcome = await SendAsync(subscription, envelope, activity?.Id ?? traceParent, traceState, ct);

        var tags = new TagList { { "topic", subscription.Topic }, { "outcome", outcome.ToString() } };
        SidecarTelemetry.Delivered.Add(1, tags);
        SidecarTelemetry.DeliveryDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
        activity?.SetTag("dapr.delivery.outcome", outcome.ToString());
        return outcome;
    }

    private async Task<DeliveryOutcome> SendAsync(Subscription subscription, ReadOnlyMemory<byte> envelope, string? traceParent, string? traceState, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Route)
        {
            Content = new ReadOnlyMemoryContent(envelope) { Headers = { ContentType = CloudEventContentType } },
        };
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }
        if (!string.IsNullOrEmpty(traceState))
        {
            request.Headers.TryAddWithoutValidation("tracestate", traceState);
        }
        try
        {
            using var response = await channel.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                logger.LogError("pubsub {PubSub}: route {Route} for topic {Topic} answered 404: non-retriable, event dropped",
                    subscription.PubSubName, subscription.Route, subscription.Topic);
                return DeliveryOutcome.Drop;
            }
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("pubsub {PubSub}: route {Route} answered {Status}: will redeliver", subscription.PubSubName, subscription.Route, (int)response.StatusCode);
                return DeliveryOutcome.Retry;
            }
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return StatusOf(body) switch
            {
                null or "" or "SUCCESS" => DeliveryOutcome.Success,
                "RETRY" => DeliveryOutcome.Retry,
                "DROP" => Dropped(subscription),
                var other => Unknown(subscription, other),
            };
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("pubsub {PubSub}: delivering to {Route} failed: {Error}: will redeliver", subscription.PubSubName, subscription.Route, e.Message);
            return DeliveryOutcome.Retry;
        }
    }

    private DeliveryOutcome Dropped(Subscription subscription)
    {
        logger.LogWarning("pubsub {PubSub}: the app dropped an event on {Topic} (status DROP)", subscription.PubSubName, subscription.Topic);
        return DeliveryOutcome.Drop;
    }

    private DeliveryOutcome Unknown(Subscription subscription, string status)
    {
        logger.LogWarning("pubsub {PubSub}: unknown status {Status} from {Route}: will redeliver", subscription.PubSubName, status, subscription.Route);
        return DeliveryOutcome.Retry;
    }

    /// <summary>The "status" of a JSON answer; a body that is not JSON counts as success, as in daprd.</summary>
    private static string? StatusOf(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()!.ToUpperInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
