using System.Text.Json;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.PubSub;

/// <summary>daprd's HTTP publish API: POST /v1.0/publish/{pubsub}/{topic} and the alpha bulk variant.</summary>
public static class PublishHttpApi
{
    public static WebApplication MapPublishApi(this WebApplication app)
    {
        var publisher = app.Services.GetRequiredService<Publisher>();
        var registry = app.Services.GetRequiredService<PubSubRegistry>();

        app.MapPost("/v1.0/publish/{pubsub}/{*topic}", async (string pubsub, string topic, HttpRequest request) =>
        {
            if (!registry.TryGet(pubsub, out _))
            {
                return NotFound(pubsub);
            }
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            await publisher.PublishAsync(pubsub, topic, body.GetBuffer().AsMemory(0, (int)body.Length), request.ContentType,
                MetadataFrom(request.Query), request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault(),
                request.HttpContext.RequestAborted);
            return Results.NoContent();
        });

        app.MapPost("/v1.0-alpha1/publish/bulk/{pubsub}/{*topic}", async (string pubsub, string topic, HttpRequest request) =>
        {
            if (!registry.TryGet(pubsub, out _))
            {
                return NotFound(pubsub);
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
            await publisher.PublishBulkAsync(pubsub, topic, entries, MetadataFrom(request.Query),
                request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault(), request.HttpContext.RequestAborted);
            return Results.NoContent();
        });
        return app;
    }

    /// <summary>daprd passes publish metadata as query parameters named metadata.{key}.</summary>
    private static Dictionary<string, string> MetadataFrom(IQueryCollection query) =>
        query.Where(q => q.Key.StartsWith("metadata.", StringComparison.Ordinal))
            .ToDictionary(q => q.Key["metadata.".Length..], q => q.Value.ToString(), StringComparer.Ordinal);

    private static IResult NotFound(string pubsub) =>
        ApiErrors.Error(400, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} is not found");
}
