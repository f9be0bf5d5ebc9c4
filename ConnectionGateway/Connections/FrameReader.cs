using System.Text.Json;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>A parsed client frame, or the error frame to answer with.</summary>
public sealed record ParsedFrame(string Type, string? RequestId, JsonElement Root);

/// <summary>Turns raw client bytes into a typed command or a precise error code; never throws on client input.</summary>
public static class FrameReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public static (ParsedFrame? Frame, ErrorFrame? Error) Parse(ReadOnlyMemory<byte> bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException)
        {
            return (null, new ErrorFrame(null, ErrorCodes.BadJson, "the frame is not valid JSON"));
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
                if (rid.ValueKind != JsonValueKind.String || rid.GetString()!.Length > 128)
                {
                    return (null, new ErrorFrame(null, ErrorCodes.InvalidField, "requestId must be a string of at most 128 characters"));
                }
                requestId = rid.GetString();
            }
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return (null, new ErrorFrame(requestId, ErrorCodes.InvalidField, "type must be a string"));
            }
            return (new ParsedFrame(type.GetString()!, requestId, root), null);
        }
    }

    /// <summary>Binds the frame to a command record; an ill-typed field becomes invalid_field naming the field.</summary>
    public static (T? Command, ErrorFrame? Error) Bind<T>(ParsedFrame frame) where T : class
    {
        try
        {
            var command = frame.Root.Deserialize(typeof(T), NatterJson.Options) as T;
            return command is null
                ? (null, new ErrorFrame(frame.RequestId, ErrorCodes.InvalidField, "missing command fields"))
                : (command, null);
        }
        catch (JsonException e)
        {
            var field = e.Path?.TrimStart('$', '.') ?? "";
            return (null, new ErrorFrame(frame.RequestId, ErrorCodes.InvalidField, $"field '{field}' has the wrong type"));
        }
    }

    public static ErrorFrame Invalid(ParsedFrame frame, string message) => new(frame.RequestId, ErrorCodes.InvalidField, message);
}
