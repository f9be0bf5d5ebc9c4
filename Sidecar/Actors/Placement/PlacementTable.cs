namespace Natter.Sidecar.Actors.Placement;

/// <summary>An immutable view of the live hosts, indexed by actor type. Replaced whole when the host set changes.</summary>
public sealed class PlacementTable
{
    private readonly Dictionary<string, PlacementHost[]> _hostsByType;

    public PlacementTable(IEnumerable<PlacementHost> hosts)
    {
        Hosts = hosts.OrderBy(h => h.InstanceId, StringComparer.Ordinal).ToArray();
        _hostsByType = Hosts
            .SelectMany(h => h.Entities.Distinct(StringComparer.Ordinal).Select(type => (type, h)))
            .GroupBy(x => x.type, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.h).ToArray(), StringComparer.Ordinal);
        Signature = string.Join(";", Hosts.Select(h => $"{h.InstanceId}@{h.Address}[{string.Join(",", h.Entities.Order(StringComparer.Ordinal))}]"));
    }

    public static PlacementTable Empty { get; } = new([]);

    public IReadOnlyList<PlacementHost> Hosts { get; }

    /// <summary>Equal signatures mean the same owners for every actor.</summary>
    public string Signature { get; }

    public IReadOnlyList<PlacementHost> HostsFor(string actorType) =>
        _hostsByType.TryGetValue(actorType, out var hosts) ? hosts : [];

    public PlacementHost? Owner(string actorType, string actorId) => RendezvousHash.Owner(HostsFor(actorType), actorType, actorId);
}
