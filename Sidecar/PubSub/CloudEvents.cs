using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Natter.Sidecar.PubSub;

/// <summary>What a publish call carries into the envelope.</summary>
public readonly record struct PublishedEvent(
    string PubSubName, string Topic, ReadOnlyMemory<byte> Data, string? ContentType, string? TraceParent, string? TraceState);

/// <summary>
/// daprd's CloudEvents 1.0 envelope: id, source (app id), type com.dapr.event.sent, specversion, datacontenttype,
/// data (inline when JSON, a string when text, else data_base64), topic, pubsubname, time and trace fields.
/// An event already in application/cloudevents+json passes through, with missing fields filled in.
/// </summary>
public static class CloudEvents
{
    public const string ContentType = "application/cloudevents+json";
    public const string EventType = "com.dapr.event.sent";
    public const string RawPayloadContentType = "application/octet-stream";
    private const string DefaultDataContentType = "text/plain";

    public static byte[] Wrap(in PublishedEvent e, string source)
    {
        var contentType = string.IsNullOrEmpty(e.ContentType) ? DefaultDataContentType : e.ContentType;
        if (IsCloudEvent(contentType) && TryFill(e, source, out var filled))
        {
            return filled;
        }
        var buffer = new ArrayBufferWriter<byte>(e.Data.Length + 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteStandardFields(w, e, source, contentType, present: null);
            WriteData(w, e.Data.Span, contentType);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What daprd delivers to a subscription with rawPayload=true (components-contrib FromRawPayload): the stored bytes,
    /// whatever they are, as data_base64 of a new CloudEvent with a random id and source "Dapr"; no trace context,
    /// since the publisher's is not stored with a raw payload.
    /// </summary>
    public static byte[] FromRawPayload(ReadOnlySpan<byte> stored, string topic, string pubSubName)
    {
        var buffer = new ArrayBufferWriter<byte>(stored.Length * 4 / 3 + 256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("specversion", "1.0");
            w.WriteString("datacontenttype", RawPayloadContentType);
            w.WriteString("source", "Dapr");
            w.WriteString("type", EventType);
            w.WriteString("topic", topic);
            w.WriteString("pubsubname", pubSubName);
            w.WriteBase64String("data_base64", stored);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>daprd parses what a subscription without rawPayload receives into a JSON object, and fails the event otherwise.</summary>
    public static bool IsJsonObject(ReadOnlySpan<byte> stored)
    {
        var reader = new Utf8JsonReader(stored);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads the trace context a delivery must carry to the app.</summary>
    public static (string? TraceParent, string? TraceState) TraceContextOf(ReadOnlySpan<byte> envelope)
    {
        string? traceParent = null, traceState = null;
        var reader = new Utf8JsonReader(envelope);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("traceparent"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    traceParent = reader.GetString();
                }
                else if (reader.ValueTextEquals("tracestate"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    traceState = reader.GetString();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not a JSON envelope (should not happen): deliver without trace context.
        }
        return (traceParent, traceState);
    }

    public static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
               || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsCloudEvent(string contentType) =>
        contentType.Split(';', 2)[0].Trim().Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    private static bool IsText(string contentType) =>
        contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase);

    private static void WriteStandardFields(Utf8JsonWriter w, in PublishedEvent e, string source, string contentType, HashSet<string>? present)
    {
        void Put(string name, string? value)
        {
            if (value is not null && present?.Contains(name) != true)
            {
                w.WriteString(name, value);
            }
        }
        Put("id", Guid.NewGuid().ToString());
        Put("source", source);
        Put("type", EventType);
        Put("specversion", "1.0");
        Put("datacontenttype", contentType);
        Put("topic", e.Topic);
        Put("pubsubname", e.PubSubName);
        Put("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        Put("traceid", e.TraceParent);
        Put("traceparent", e.TraceParent);
        Put("tracestate", e.TraceState ?? "");
    }

    private static void WriteData(Utf8JsonWriter w, ReadOnlySpan<byte> data, string contentType)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (IsJson(contentType) && IsValidJson(data))
        {
            w.WritePropertyName("data");
            w.WriteRawValue(data, skipInputValidation: true);
        }
        else if (IsText(contentType) || IsJson(contentType))
        {
            w.WriteString("data", Encoding.UTF8.GetString(data));
        }
        else
        {
            w.WriteBase64String("data_base64", data);
        }
    }

    private static bool IsValidJson(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            reader.Read();
            reader.Skip();
            return !reader.Read() && reader.BytesConsumed == data.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryFill(in PublishedEvent e, string source, out byte[] filled)
    {
        filled = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(e.Data);
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            var present = new HashSet<string>(StringComparer.Ordinal);
            var buffer = new ArrayBufferWriter<byte>(e.Data.Length + 512);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    present.Add(property.Name);
                    property.WriteTo(w);
                }
                WriteStandardFields(w, e, source, "application/json", present);
                w.WriteEndObject();
            }
            filled = buffer.WrittenSpan.ToArray();
            return true;
        }
    }
}
