namespace Natter.Sidecar.State;

/// <summary>A state store component (state.redis, state.postgresql, state.in-memory) as the Dapr API sees it.</summary>
/// <remarks>
/// Keys passed in are final keys: the API layer applies daprd's key prefix ("{appId}||{key}") and, for actors,
/// "{appId}||{actorType}||{actorId}||{key}". Etags are opaque strings; null or empty means "no etag".
/// </remarks>
public interface IStateStore
{
    string Name { get; }

    /// <summary>Whether the component has actorStateStore: true.</summary>
    bool IsActorStateStore { get; }

    Task<StateEntry?> GetAsync(string key, CancellationToken ct);

    Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct);

    /// <summary>Saves; throws a <see cref="StateStoreException"/> when the etag or concurrency check fails.</summary>
    Task SetAsync(StateWrite write, CancellationToken ct);

    /// <summary>Deletes; throws a <see cref="StateStoreException"/> when the etag or concurrency check fails.</summary>
    Task DeleteAsync(string key, string? etag, StateConcurrency concurrency, CancellationToken ct);

    /// <summary>Applies every operation or none; throws a <see cref="StateStoreException"/> when any check fails.</summary>
    Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct);
}

public sealed record StateEntry(string Key, ReadOnlyMemory<byte> Value, string Etag);

/// <summary>The request's options.concurrency. Each component interprets it as its components-contrib original does.</summary>
public enum StateConcurrency
{
    Unspecified,
    FirstWrite,
    LastWrite,
}

/// <summary>A save: TtlSeconds comes from the request's ttlInSeconds metadata (null: no expiry).</summary>
public sealed record StateWrite(
    string Key,
    ReadOnlyMemory<byte> Value,
    string? Etag = null,
    int? TtlSeconds = null,
    StateConcurrency Concurrency = StateConcurrency.Unspecified);

/// <summary>One step of a transaction: an upsert (Write set) or a delete (DeleteKey set).</summary>
public sealed record StateOperation(
    StateWrite? Write,
    string? DeleteKey,
    string? DeleteEtag = null,
    StateConcurrency DeleteConcurrency = StateConcurrency.Unspecified)
{
    public static StateOperation Upsert(StateWrite write) => new(write, null);

    public static StateOperation Delete(string key, string? etag = null, StateConcurrency concurrency = StateConcurrency.Unspecified) =>
        new(null, key, etag, concurrency);
}

/// <summary>
/// A write the store refused. The base type is a plain failure, which daprd reports as gRPC Internal / HTTP 500;
/// the subclasses are components-contrib's ETagError kinds, which daprd reports with their own codes.
/// </summary>
public class StateStoreException(string key, string message) : Exception(message)
{
    public string Key { get; } = key;
}

/// <summary>ETagError(ETagMismatch): gRPC Aborted / HTTP 409 on save and delete (not in transactions).</summary>
public sealed class EtagMismatchException(string key, string? message = null)
    : StateStoreException(key, message ?? $"possible etag mismatch. error from state store: etag mismatch for key '{key}'");

/// <summary>ETagError(ETagInvalid), e.g. a non-numeric etag for state.redis: gRPC InvalidArgument / HTTP 400.</summary>
public sealed class EtagInvalidException(string key, string etag)
    : StateStoreException(key, $"invalid etag value: strconv.Atoi: parsing \"{etag}\": invalid syntax");

/// <summary>
/// A write without an etag refused because the key exists: state.redis on a key an earlier first-write save marked,
/// state.postgresql on a first-write save of a live row. components-contrib returns this as a plain error (no etag
/// was given, so it is not an ETagError): daprd answers Internal / 500.
/// </summary>
public sealed class FirstWriteConflictException(string key, string? message = null)
    : StateStoreException(key, message ?? $"failed to set key {key}: key exists and was written with first-write concurrency");
