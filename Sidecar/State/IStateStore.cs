namespace Natter.Sidecar.State;

/// <summary>A state store component (state.redis, state.in-memory) as the Dapr API sees it.</summary>
/// <remarks>
/// Keys passed in are final keys: the API layer applies daprd's key prefix ("{appId}||{key}") and, for actors,
/// "{appId}||{actorType}||{actorId}||{key}". Etags are opaque strings; null means "no concurrency check".
/// </remarks>
public interface IStateStore
{
    string Name { get; }

    /// <summary>Whether the component has actorStateStore: true.</summary>
    bool IsActorStateStore { get; }

    Task<StateEntry?> GetAsync(string key, CancellationToken ct);

    Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct);

    /// <summary>Saves; throws <see cref="EtagMismatchException"/> when an etag is given and does not match.</summary>
    Task SetAsync(StateWrite write, CancellationToken ct);

    /// <summary>Deletes; throws <see cref="EtagMismatchException"/> when an etag is given and does not match.</summary>
    Task DeleteAsync(string key, string? etag, CancellationToken ct);

    /// <summary>Applies every operation or none; throws <see cref="EtagMismatchException"/> on any etag mismatch.</summary>
    Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct);
}

public sealed record StateEntry(string Key, ReadOnlyMemory<byte> Value, string Etag);

/// <summary>A save: TtlSeconds comes from the request's ttlInSeconds metadata (null: no expiry).</summary>
public sealed record StateWrite(string Key, ReadOnlyMemory<byte> Value, string? Etag = null, int? TtlSeconds = null);

/// <summary>One step of a transaction: an upsert (Write set) or a delete (DeleteKey set).</summary>
public sealed record StateOperation(StateWrite? Write, string? DeleteKey, string? DeleteEtag = null)
{
    public static StateOperation Upsert(StateWrite write) => new(write, null);
    public static StateOperation Delete(string key, string? etag = null) => new(null, key, etag);
}

public sealed class EtagMismatchException(string key) : Exception($"etag mismatch for key '{key}'")
{
    public string Key { get; } = key;
}
