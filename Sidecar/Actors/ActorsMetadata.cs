using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Metadata;

namespace Natter.Sidecar.Actors;

/// <summary>The "actors" entry of GET /v1.0/metadata: each hosted type with its count of active actors here, as daprd.</summary>
public sealed class ActorsMetadata(ActorTypesRegistry types) : IMetadataContributor
{
    public void Contribute(IDictionary<string, object?> metadata)
    {
        var counts = types.ActiveCounts();
        metadata["actors"] = types.ActorTypes
            .Select(type => new Dictionary<string, object?> { ["type"] = type, ["count"] = counts.GetValueOrDefault(type) })
            .ToArray();
    }
}
