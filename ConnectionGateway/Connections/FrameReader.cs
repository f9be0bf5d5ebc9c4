using System.Text.Json;
using System.Text.Json.Serialization;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>A parsed client frame, or the error frame to answer with.</summary>
public sealed record ParsedFrame(string Type, string? RequestId, JsonElement Root);

/// <summary>Turns raw client bytes into a typed command or a precise error code; never throws on client input.</summary>
public static class FrameReader
{
    // A repeated property would let the reader and the binder see different values; JSON says names SHOULD be unique.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    // Client input is strict: the contracts' Web defaults read numbers from strings ("size":"10"), clients may not.
    private static readonly JsonSerializerOptions ClientOptions = Strict();

    private static JsonSerializerOptions Strict()
    {
        var options = new JsonSerializerOptions(NatterJson.Options) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly();
        return options;
    }

    public static (ParsedFrame? Frame, ErrorFrame? Error) Parse(ReadOnlyMemory<byte> bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException)
        {
            return (null, new ErrorFrame(null, ErrorCodes.BadJson, "the frame is not valid JSON, or repeats a property"));
        }
        using (document)
        {
            var root = document.RootElement.Clone();
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, new ErrorFrame(null, ErrorCodes.BadJson, "a frame is a JSON object"));
            }
            string? requestId = null;
            if (root.TryGetProperty("requestId", out var rid))
            {
                if (!TryGetString(rid, out requestId) || requestId.Length > 128)
                {
                    return (null, new ErrorFrame(null, ErrorCodes.InvalidField, "requestId must be a string of at most 128 characters"));
                }
            }
            if (!root.TryGetProperty("type", out var typeElement) || !TryGetString(typeElement, out var type))
            {
                return (null, new ErrorFrame(requestId, ErrorCodes.InvalidField, "type must be a string"));
            }
            return (new ParsedFrame(type, requestId, root), null);
        }
    }

    /// <summary>Binds the frame to a command record; an ill-typed field becomes invalid_field naming the field.</summary>
    public static (T? Command, ErrorFrame? Error) Bind<T>(ParsedFrame frame) where T : class
    {
        try
        {
            var command = frame.Root.Deserialize(typeof(T), ClientOptions) as T;
            return command is null
                ? (null, new ErrorFrame(frame.RequestId, ErrorCodes.InvalidField, "missing command fields"))
                : (command, null);
        }
        catch (JsonException e)
        {
            var field = e.Path?.TrimStart('$', '.') ?? "";
            return (null, new ErrorFrame(frame.RequestId, ErrorCodes.InvalidField, $"field '{field}' has the wrong type"));
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reports an escaped lone surrogate ("\ud800") this way, with no path to name.
            return (null, new ErrorFrame(frame.RequestId, ErrorCodes.InvalidField, "a string field holds an unpaired surrogate escape"));
        }
    }

    public static ErrorFrame Invalid(ParsedFrame frame, string message) => new(frame.RequestId, ErrorCodes.InvalidField, message);

    /// <summary>A JSON string that is valid UTF-16 once unescaped: JsonDocument accepts "\ud800" and throws only when read.</summary>
    private static bool TryGetString(JsonElement element, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
