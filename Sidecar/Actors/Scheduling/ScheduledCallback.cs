using System.Buffers;
using System.Text.Json;

namespace Natter.Sidecar.Actors.Scheduling;

/// <summary>
/// A timer or reminder as the app registered it. The strings stay as sent because the SDK parses them back when it
/// is called (for instance a reminder's "R5/PT1S" period), and data is kept as raw JSON to be returned untouched.
/// </summary>
public sealed record ScheduledCallback(string? DueTime, string? Period, string? Ttl, string? DataJson, string? Callback)
{
    /// <summary>Reads a registration body; throws <see cref="JsonException"/> when it is not a JSON object.</summary>
    public static ScheduledCallback Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return new ScheduledCallback(null, null, null, null, null);
        }
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a registration is a JSON object");
        }
        string? Text(string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var data = root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetRawText() : null;
        return new ScheduledCallback(Text("dueTime"), Text("period"), Text("ttl"), data, Text("callback"));
    }

    /// <summary>The body daprd sends to the app when it fires: only the fields that were registered.</summary>
    public byte[] FireBody(bool includeTtl = false)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (Callback is not null)
            {
                writer.WriteString("callback", Callback);
            }
            if (DueTime is not null)
            {
                writer.WriteString("dueTime", DueTime);
            }
            if (Period is not null)
            {
                writer.WriteString("period", Period);
            }
            if (includeTtl && Ttl is not null)
            {
                writer.WriteString("ttl", Ttl);
            }
            writer.WritePropertyName("data");
            if (DataJson is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(DataJson, skipInputValidation: true);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
