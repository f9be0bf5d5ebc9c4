namespace Natter.Sidecar.Hosting;

/// <summary>
/// daprd's request metadata on the HTTP API: query parameters named metadata.{key} (getMetadataFromRequest), on the
/// state, publish and binding routes alike. A repeated parameter counts with its first value, as there.
/// </summary>
public static class RequestMetadata
{
    private const string Prefix = "metadata.";

    public static Dictionary<string, string> From(IQueryCollection query)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && values.Count > 0)
            {
                metadata[key[Prefix.Length..]] = values[0] ?? "";
            }
        }
        return metadata;
    }
}
