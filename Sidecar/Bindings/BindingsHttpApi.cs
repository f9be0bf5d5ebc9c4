using System.Text;
using System.Text.Json;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Bindings;

/// <summary>
/// daprd's HTTP output binding API: POST or PUT /v1.0/bindings/{name} with {"data", "metadata", "operation"}. The data
/// travels as its JSON text (a JSON string keeps its quotes, as Go's json.Marshal of the field). Answers: 200 with the
/// response data (204 when there is none), every response metadata entry as a "metadata.{key}" header (on errors too);
/// 400 ERR_MALFORMED_REQUEST for an unreadable body; 500 ERR_INVOKE_OUTPUT_BINDING for any failure of the binding,
/// an unknown binding name included.
/// </summary>
public static class BindingsHttpApi
{
    public static WebApplication MapBindingsApi(this WebApplication app)
    {
        var bindings = app.Services.GetRequiredService<OutputBindings>();
        app.MapMethods("/v1.0/bindings/{name}", ["POST", "PUT"], async (string name, HttpContext context) =>
        {
            if (await ReadAsync(context.Request) is not { } request)
            {
                return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST",
                    "failed deserializing HTTP body: expected {\"data\": any, \"metadata\": {string: string}, \"operation\": string}");
            }
            var metadata = request.Metadata;
            foreach (var trace in new[] { "traceparent", "tracestate" })
            {
                if (!metadata.ContainsKey(trace) && context.Request.Headers[trace].FirstOrDefault() is { Length: > 0 } value)
                {
                    metadata[trace] = value;
                }
            }
            var result = await bindings.InvokeAsync(name, request.Data, metadata, request.Operation, context.RequestAborted);
            foreach (var (key, value) in result.Metadata)
            {
                context.Response.Headers.Append("metadata." + key, value);
            }
            if (result.Error is { } error)
            {
                return ApiErrors.Error(500, "ERR_INVOKE_OUTPUT_BINDING", OutputBindings.ErrorMessage(name, error));
            }
            return result.Data.Length == 0
                ? Results.NoContent()
                : Results.Bytes(result.Data, IsJson(result.Data) ? "application/json" : null);
        });
        return app;
    }

    private sealed record Request(byte[] Data, Dictionary<string, string> Metadata, string Operation);

    private static async Task<Request?> ReadAsync(HttpRequest http)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Body, cancellationToken: http.HttpContext.RequestAborted);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var data = root.TryGetProperty("data", out var d) ? Encoding.UTF8.GetBytes(d.GetRawText()) : "null"u8.ToArray();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                if (m.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                foreach (var item in m.EnumerateObject())
                {
                    if (item.Value.ValueKind != JsonValueKind.String)
                    {
                        return null;
                    }
                    metadata[item.Name] = item.Value.GetString()!;
                }
            }
            var operation = root.TryGetProperty("operation", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "";
            return new Request(data, metadata, operation);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsJson(byte[] data)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            return JsonDocument.TryParseValue(ref reader, out var document) && document is not null && reader.BytesConsumed == data.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
