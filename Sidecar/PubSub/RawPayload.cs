namespace Natter.Sidecar.PubSub;

/// <summary>
/// The rawPayload metadata flag, read as components-contrib's metadata.IsRawPayload reads it: absent or empty is
/// false, otherwise Go's strconv.ParseBool (1, t, T, TRUE, true, True and their false forms); anything else is an error.
/// On publish it means "store the bytes without an envelope"; on a subscription "wrap what is stored in a CloudEvent".
/// </summary>
public static class RawPayload
{
    public const string MetadataKey = "rawPayload";

    public static bool TryRead(IReadOnlyDictionary<string, string> metadata, out bool isRaw, out string error)
    {
        isRaw = false;
        error = "";
        if (!metadata.TryGetValue(MetadataKey, out var value) || value.Length == 0)
        {
            return true;
        }
        switch (value)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                isRaw = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                return true;
            default:
                error = $"{MetadataKey} value must be a valid boolean: actual is '{value}'";
                return false;
        }
    }
}

/// <summary>A publish whose metadata cannot be read (daprd's ERR_PUBSUB_REQUEST_METADATA / InvalidArgument).</summary>
public sealed class PublishMetadataException(string problem) : Exception($"failed deserializing metadata. Error: {problem}");
