using System.Text.Json;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// daprd's HTTP publish API: POST /v1.0/publish/{pubsub}/{topic} and the alpha bulk variant, with daprd's answers:
/// 204 on success; 404 ERR_PUBSUB_NOT_FOUND / ERR_TOPIC_NAME_EMPTY, 400 ERR_PUBSUB_NOT_CONFIGURED (no pubsub loaded)
/// and 400 ERR_PUBSUB_REQUEST_METADATA (unreadable metadata.* query parameters), as pkg/api/errors/pubsub.go.
/// </summary>
public static class PublishHttpApi
{
    public static WebApplication MapPublishApi(this WebApplication app)
    {
        var publisher = app.Services.GetRequiredService<Publisher>();
        var registry = app.Services.GetRequiredService<PubSubRegistry>();

        app.MapPost("/v1.0/publish/{pubsub}/{*topic}", async (string pubsub, string? topic, HttpRequest request) =>
        {
            if (Refused(registry, pubsub, topic) is { } refused)
            {
                return refused;
            }
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            try
            {
                await publisher.PublishAsync(pubsub, topic!, body.GetBuffer().AsMemory(0, (int)body.Length), request.ContentType,
                    RequestMetadata.From(request.Query), request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault(),
                    request.HttpContext.RequestAborted);
            }
            catch (PublishMetadataException e)
            {
                return ApiErrors.Error(400, "ERR_PUBSUB_REQUEST_METADATA", e.Message);
            }
            return Results.NoContent();
        });

        app.MapPost("/v1.0-alpha1/publish/bulk/{pubsub}/{*topic}", async (string pubsub, string? topic, HttpRequest request) =>
        {
            if (Refused(registry, pubsub, topic) is { } refused)
            {
                return refused;
            }
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (body.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ApiErrors.Error(400, "ERR_PUBSUB_EVENTS_SER", "expected a JSON array of {entryId, event, contentType}");
            }
            var entries = new List<(ReadOnlyMemory<byte>, string?)>();
            foreach (var entry in body.RootElement.EnumerateArray())
            {
                var contentType = entry.TryGetProperty("contentType", out var ct) ? ct.GetString() : null;
                if (!entry.TryGetProperty("event", out var e))
                {
                    return ApiErrors.Error(400, "ERR_PUBSUB_EVENTS_SER", "every entry needs an event");
                }
                // A JSON event travels as its JSON text; a string event as its characters.
                var data = e.ValueKind == JsonValueKind.String && !CloudEvents.IsJson(contentType ?? "")
                    ? System.Text.Encoding.UTF8.GetBytes(e.GetString()!)
                    : System.Text.Encoding.UTF8.GetBytes(e.GetRawText());
                entries.Add((data, contentType));
            }
            try
            {
                await publisher.PublishBulkAsync(pubsub, topic!, entries, RequestMetadata.From(request.Query),
                    request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault(), request.HttpContext.RequestAborted);
            }
            catch (PublishMetadataException e)
            {
                return ApiErrors.Error(400, "ERR_PUBSUB_REQUEST_METADATA", e.Message);
            }
            return Results.NoContent();
        });
        return app;
    }

    /// <summary>daprd's checks, in its order (validateAndGetPubsubAndTopic): any pubsub at all, this one, a topic.</summary>
    private static IResult? Refused(PubSubRegistry registry, string pubsub, string? topic)
    {
        if (!registry.All.Any())
        {
            return ApiErrors.Error(400, "ERR_PUBSUB_NOT_CONFIGURED", $"pubsub {pubsub} is not configured");
        }
        if (!registry.TryGet(pubsub, out _))
        {
            return ApiErrors.Error(404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} is not found");
        }
        if (string.IsNullOrEmpty(topic))
        {
            return ApiErrors.Error(404, "ERR_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsub}");
        }
        return null;
    }
}
