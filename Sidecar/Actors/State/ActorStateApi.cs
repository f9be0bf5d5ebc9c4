using System.Text;
using System.Text.Json;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.State;

namespace Natter.Sidecar.Actors.State;

/// <summary>
/// GET /v1.0/actors/{type}/{id}/state/{key} and the transactional PUT of .../state. Values are the SDK's JSON text,
/// stored as its bytes and returned as they are.
/// </summary>
public sealed class ActorStateApi(ActorStoreBinding binding, SidecarOptions sidecar)
{
    public async Task<IResult> GetAsync(ActorKey actor, string key, CancellationToken ct)
    {
        var entry = await binding.Store.GetAsync(ActorStateKeys.State(sidecar.AppId, actor.Type, actor.Id, key), ct);
        return entry is null
            ? Results.NoContent()
            : Results.Bytes(entry.Value.ToArray(), "application/json");
    }

    public async Task<IResult> TransactAsync(ActorKey actor, byte[] body, CancellationToken ct)
    {
        List<StateOperation> operations;
        try
        {
            operations = Parse(actor, body);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return Results.Json(new { errorCode = "ERR_MALFORMED_REQUEST", message = $"invalid actor state transaction: {ex.Message}" },
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (operations.Count > 0)
        {
            await binding.Store.TransactAsync(operations, ct);
        }
        return Results.NoContent();
    }

    private List<StateOperation> Parse(ActorKey actor, byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("expected a JSON array of operations");
        }
        var operations = new List<StateOperation>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var operation = item.GetProperty("operation").GetString();
            var request = item.GetProperty("request");
            var key = ActorStateKeys.State(sidecar.AppId, actor.Type, actor.Id,
                request.GetProperty("key").GetString() ?? throw new FormatException("missing key"));
            switch (operation)
            {
                case "upsert":
                    var value = request.TryGetProperty("value", out var v) ? v.GetRawText() : "null";
                    operations.Add(StateOperation.Upsert(new StateWrite(key, Encoding.UTF8.GetBytes(value), TtlSeconds: Ttl(request))));
                    break;
                case "delete":
                    operations.Add(StateOperation.Delete(key));
                    break;
                default:
                    throw new FormatException($"unknown operation '{operation}'");
            }
        }
        return operations;
    }

    private static int? Ttl(JsonElement request)
    {
        if (!request.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("ttlInSeconds", out var ttl))
        {
            return null;
        }
        return ttl.ValueKind == JsonValueKind.Number ? ttl.GetInt32()
            : int.TryParse(ttl.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds
            : throw new FormatException("ttlInSeconds is not a number");
    }
}
