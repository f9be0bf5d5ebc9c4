using System.Net;
using System.Text.Json;

namespace Natter.Sidecar.PubSub;

/// <summary>Reads the app's programmatic subscriptions from GET /dapr/subscribe, as daprd does once at start-up.</summary>
public sealed class SubscriptionLoader(AppChannel.AppChannel channel, ILogger<SubscriptionLoader> logger)
{
    public async Task<IReadOnlyList<Subscription>> LoadAsync(CancellationToken ct)
    {
        using var response = await channel.Http.GetAsync("/dapr/subscribe", ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        return Parse(body, logger);
    }

    public static IReadOnlyList<Subscription> Parse(ReadOnlySpan<byte> json, ILogger logger)
    {
        if (json.IsEmpty)
        {
            return [];
        }
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            logger.LogError("GET /dapr/subscribe did not return a JSON array; no subscriptions");
            return [];
        }
        var result = new List<Subscription>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var pubsub = String(item, "pubsubName") ?? String(item, "pubsubname");
            var topic = String(item, "topic");
            if (string.IsNullOrEmpty(pubsub) || string.IsNullOrEmpty(topic))
            {
                logger.LogError("A subscription without pubsubName or topic was ignored: {Item}", item.GetRawText());
                continue;
            }
            var route = String(item, "route");
            if (string.IsNullOrEmpty(route) && Property(item, "routes") is { ValueKind: JsonValueKind.Object } routes)
            {
                route = String(routes, "default");
                if (Property(routes, "rules") is { ValueKind: JsonValueKind.Array } rules && rules.GetArrayLength() > 0)
                {
                    logger.LogWarning("Routing rules on {Topic} are not evaluated; events go to the default route", topic);
                }
            }
            route = string.IsNullOrEmpty(route) ? topic : route;
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Property(item, "metadata") is { ValueKind: JsonValueKind.Object } meta)
            {
                foreach (var m in meta.EnumerateObject())
                {
                    metadata[m.Name] = m.Value.ToString();
                }
            }
            if (!RawPayload.TryRead(metadata, out var rawPayload, out var problem))
            {
                // daprd would fail (and so redeliver) every event of such a subscription; refusing it says why once.
                logger.LogError("The subscription to {PubSub}/{Topic} was ignored: {Problem}", pubsub, topic, problem);
                continue;
            }
            // The SDK lists routes without a leading slash.
            result.Add(new Subscription(pubsub, topic, route.StartsWith('/') ? route : "/" + route, String(item, "deadLetterTopic"), metadata,
                rawPayload, BulkOf(item)));
        }
        return result;
    }

    /// <summary>bulkSubscribe: {enabled, maxMessagesCount, maxAwaitDurationMs}; null unless enabled.</summary>
    private static BulkSubscribeOptions? BulkOf(JsonElement item)
    {
        if (Property(item, "bulkSubscribe") is not { ValueKind: JsonValueKind.Object } bulk
            || Property(bulk, "enabled") is not { ValueKind: JsonValueKind.True })
        {
            return null;
        }
        return new BulkSubscribeOptions(
            PositiveInt(bulk, "maxMessagesCount") ?? BulkSubscribeOptions.DefaultMaxMessagesCount,
            PositiveInt(bulk, "maxAwaitDurationMs") ?? BulkSubscribeOptions.DefaultMaxAwaitDurationMs);
    }

    private static int? PositiveInt(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var n) && n > 0 ? n : null;

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

    private static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
