namespace Natter.Sidecar.Metadata;

/// <summary>
/// Lets a building block add to GET /v1.0/metadata. The document is a JSON object built as a dictionary;
/// a contributor sets its own top-level keys (for example "actors": [{"type": "...", "count": n}]).
/// </summary>
public interface IMetadataContributor
{
    void Contribute(IDictionary<string, object?> metadata);
}
