using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.State;

/// <summary>The state store components by name, with each one's key prefix rule and the one marked actorStateStore.</summary>
public sealed class StateStoreRegistry
{
    private readonly Dictionary<string, (IStateStore Store, string? Prefix)> _stores;

    public StateStoreRegistry(IEnumerable<(IStateStore Store, string? Prefix)> stores)
    {
        _stores = stores.ToDictionary(s => s.Store.Name, StringComparer.Ordinal);
        ActorStateStore = _stores.Values.Select(s => s.Store).FirstOrDefault(s => s.IsActorStateStore);
    }

    public IStateStore? ActorStateStore { get; }

    public IEnumerable<IStateStore> All => _stores.Values.Select(s => s.Store);

    public bool TryGet(string name, out IStateStore store)
    {
        var found = _stores.TryGetValue(name, out var entry);
        store = entry.Store;
        return found;
    }

    public IStateStore Get(string name) => TryGet(name, out var store)
        ? store
        : throw new StateStoreNotFoundException(name);

    /// <summary>daprd's key as stored: "{prefix}||{key}", where keyPrefix is appid (default), name, none or a literal.</summary>
    public string StoredKey(string storeName, string key)
    {
        var prefix = _stores.TryGetValue(storeName, out var entry) ? entry.Prefix : throw new StateStoreNotFoundException(storeName);
        return prefix is null ? key : $"{prefix}||{key}";
    }

    public static string? PrefixFor(ComponentSpec spec, SidecarOptions options) => spec.Get("keyPrefix") switch
    {
        null or "" or "appid" => options.AppId,
        "name" => spec.Name,
        "none" => null,
        var literal => literal,
    };
}

public sealed class StateStoreNotFoundException(string name)
    : Exception($"state store {name} is not found (no state component with metadata.name '{name}' is loaded for this app)")
{
    public string StoreName { get; } = name;
}
