namespace Natter.Sidecar.PubSub;

public sealed class PubSubRegistry(IEnumerable<IPubSub> components)
{
    private readonly Dictionary<string, IPubSub> _byName = components.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IEnumerable<IPubSub> All => _byName.Values;

    public bool TryGet(string name, out IPubSub pubSub) => _byName.TryGetValue(name, out pubSub!);

    public IPubSub Get(string name) => TryGet(name, out var pubSub) ? pubSub : throw new PubSubNotFoundException(name);
}

public sealed class PubSubNotFoundException(string name)
    : Exception($"pubsub {name} is not found (no pubsub component with metadata.name '{name}' is loaded for this app)")
{
    public string PubSubName { get; } = name;
}
