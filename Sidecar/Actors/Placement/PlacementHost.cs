using System.IO.Hashing;
using System.Text;
using System.Text.Json.Serialization;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>One live sidecar in placement: where to reach it and which actor types its app hosts.</summary>
public sealed record PlacementHost(
    [property: JsonPropertyName("id")] string InstanceId,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("appId")] string AppId,
    [property: JsonPropertyName("entities")] IReadOnlyList<string> Entities)
{
    /// <summary>The host's rendezvous seed: hashing the host id once here keeps the per-call owner lookup to one hash per host.</summary>
    [JsonIgnore]
    public ulong Seed { get; } = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(InstanceId));
}
