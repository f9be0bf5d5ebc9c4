using System.Buffers;
using System.Text.Json;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.State;

/// <summary>
/// daprd's HTTP state API under /v1.0/state/{store}: values are JSON and stored as their UTF-8 text. Every route takes
/// request metadata as metadata.{key} query parameters; of these only ttlInSeconds (save, transaction upserts) means
/// anything to the stores here, which, like components-contrib's redis and in-memory, read no metadata on get or delete.
/// </summary>
public static class StateHttpApi
{
    public static WebApplication MapStateApi(this WebApplication app)
    {
        // Built now, so a state component with bad metadata stops start-up instead of failing the first call.
        var registry = app.Services.GetRequiredService<StateStoreRegistry>();
        var group = app.MapGroup("/v1.0/state/{store}");

        group.MapGet("/{key}", async (string store, string key, HttpContext http) =>
        {
            if (Refused(registry, store) is { } refused)
            {
                return refused;
            }
            var s = registry.Get(store);
            var entry = await s.GetAsync(registry.StoredKey(store, key), http.RequestAborted);
            if (entry is null)
            {
                return Results.NoContent();
            }
            http.Response.Headers.ETag = entry.Etag;
            return Results.Bytes(entry.Value, "application/json");
        });

        group.MapPost("/", async (string store, HttpRequest request) =>
        {
            if (Refused(registry, store) is { } refused)
            {
                return refused;
            }
            var s = registry.Get(store);
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (body.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", "expected a JSON array of state items");
            }
            var query = RequestMetadata.From(request.Query);
            var writes = new List<StateWrite>();
            foreach (var item in body.RootElement.EnumerateArray())
            {
                if (!TryReadWrite(registry, store, item, query, out var write, out var problem))
                {
                    return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", problem);
                }
                writes.Add(write);
            }
            try
            {
                await StateErrors.RunAllAsync(writes.Select(w => (Func<Task>)(() => s.SetAsync(w, request.HttpContext.RequestAborted))).ToArray());
                return Results.NoContent();
            }
            catch (Exception e) when (StateErrors.IsStoreFailure(e))
            {
                return ApiErrors.Error(StateErrors.SaveOrDeleteStatus(e).Http, StateErrors.SaveCode, StateErrors.SaveMessage(store, e));
            }
        });

        group.MapPost("/bulk", async (string store, HttpRequest request) =>
        {
            if (Refused(registry, store) is { } refused)
            {
                return refused;
            }
            var s = registry.Get(store);
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (!body.RootElement.TryGetProperty("keys", out var keysElement) || keysElement.ValueKind != JsonValueKind.Array)
            {
                return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", "expected {\"keys\": [...]}");
            }
            var keys = keysElement.EnumerateArray().Select(k => k.GetString() ?? "").ToArray();
            var entries = await s.GetBulkAsync(keys.Select(k => registry.StoredKey(store, k)).ToArray(), request.HttpContext.RequestAborted);
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                for (var i = 0; i < keys.Length; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("key", keys[i]);
                    if (entries[i] is { } entry)
                    {
                        writer.WritePropertyName("data");
                        WriteValue(writer, entry.Value);
                        writer.WriteString("etag", entry.Etag);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            return Results.Bytes(buffer.WrittenMemory, "application/json");
        });

        group.MapDelete("/{key}", async (string store, string key, HttpRequest request) =>
        {
            if (Refused(registry, store) is { } refused)
            {
                return refused;
            }
            var s = registry.Get(store);
            var etag = request.Headers.IfMatch.ToString();
            try
            {
                await s.DeleteAsync(registry.StoredKey(store, key), etag, ParseConcurrency(request.Query["concurrency"].ToString()), request.HttpContext.RequestAborted);
                return Results.NoContent();
            }
            catch (Exception e) when (StateErrors.IsStoreFailure(e))
            {
                return ApiErrors.Error(StateErrors.SaveOrDeleteStatus(e).Http, StateErrors.DeleteCode, StateErrors.DeleteMessage(key, e));
            }
        });

        group.MapPost("/transaction", async (string store, HttpRequest request) =>
        {
            if (Refused(registry, store) is { } refused)
            {
                return refused;
            }
            var s = registry.Get(store);
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (!body.RootElement.TryGetProperty("operations", out var ops) || ops.ValueKind != JsonValueKind.Array)
            {
                return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", "expected {\"operations\": [...]}");
            }
            var query = RequestMetadata.From(request.Query);
            var operations = new List<StateOperation>();
            foreach (var op in ops.EnumerateArray())
            {
                var kind = op.TryGetProperty("operation", out var o) ? o.GetString() : null;
                if (!op.TryGetProperty("request", out var item))
                {
                    return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", "every operation needs a request");
                }
                switch (kind)
                {
                    case "upsert":
                        if (!TryReadWrite(registry, store, item, query, out var write, out var problem))
                        {
                            return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", problem);
                        }
                        operations.Add(StateOperation.Upsert(write));
                        break;
                    case "delete":
                        var key = item.TryGetProperty("key", out var k) ? k.GetString() : null;
                        if (string.IsNullOrEmpty(key))
                        {
                            return ApiErrors.Error(400, "ERR_MALFORMED_REQUEST", "a delete needs a key");
                        }
                        var etag = item.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                        operations.Add(StateOperation.Delete(registry.StoredKey(store, key), etag, ReadConcurrency(item)));
                        break;
                    default:
                        return ApiErrors.Error(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported");
                }
            }
            try
            {
                await s.TransactAsync(operations, request.HttpContext.RequestAborted);
                return Results.NoContent();
            }
            catch (Exception e) when (StateErrors.IsStoreFailure(e))
            {
                // daprd reports every transaction failure as 500, an etag mismatch included.
                return ApiErrors.Error(StatusCodes.Status500InternalServerError, StateErrors.TransactionCode, StateErrors.TransactionMessage(e));
            }
        });
        return app;
    }

    /// <param name="query">The request's metadata.* query parameters: daprd copies them over each item's own metadata
    /// (maps.Copy in onPostState and onPostStateTransaction), so on a clash the query wins.</param>
    private static bool TryReadWrite(StateStoreRegistry registry, string store, JsonElement item, IReadOnlyDictionary<string, string> query,
        out StateWrite write, out string problem)
    {
        write = null!;
        problem = "";
        var key = item.TryGetProperty("key", out var k) ? k.GetString() : null;
        if (string.IsNullOrEmpty(key))
        {
            problem = "every state item needs a key";
            return false;
        }
        var value = item.TryGetProperty("value", out var v) ? JsonSerializer.SerializeToUtf8Bytes(v) : [];
        var etag = item.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        string? ttlText = null;
        if (query.TryGetValue(StateMetadata.TtlKey, out var queryTtl))
        {
            ttlText = queryTtl;
        }
        else if (item.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                 && metadata.TryGetProperty(StateMetadata.TtlKey, out var t))
        {
            ttlText = t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText();
        }
        if (!StateMetadata.TryParseTtl(ttlText, out var ttl))
        {
            problem = $"ttlInSeconds '{ttlText}' is not an integer of -1 or more";
            return false;
        }
        write = new StateWrite(registry.StoredKey(store, key), value, etag, ttl, ReadConcurrency(item));
        return true;
    }

    private static StateConcurrency ReadConcurrency(JsonElement item) =>
        item.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("concurrency", out var c) && c.ValueKind == JsonValueKind.String
            ? ParseConcurrency(c.GetString())
            : StateConcurrency.Unspecified;

    private static StateConcurrency ParseConcurrency(string? value) => value switch
    {
        "first-write" => StateConcurrency.FirstWrite,
        "last-write" => StateConcurrency.LastWrite,
        _ => StateConcurrency.Unspecified,
    };

    // Bulk results carry the value inline when it is JSON (as stored by the SDK), else as a JSON string.
    private static void WriteValue(Utf8JsonWriter writer, ReadOnlyMemory<byte> value)
    {
        var reader = new Utf8JsonReader(value.Span);
        try
        {
            if (JsonDocument.TryParseValue(ref reader, out var doc))
            {
                using (doc)
                {
                    doc.RootElement.WriteTo(writer);
                    return;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to a string.
        }
        writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(value.Span));
    }

    /// <summary>daprd's checks on every state route (getStateStoreWithRequestValidation): any store at all, then this one.</summary>
    private static IResult? Refused(StateStoreRegistry registry, string store)
    {
        if (!registry.All.Any())
        {
            return ApiErrors.Error(500, "ERR_STATE_STORE_NOT_CONFIGURED", $"state store {store} is not configured");
        }
        return registry.TryGet(store, out _) ? null : ApiErrors.Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
    }
}
