using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Natter.Contracts;

namespace Natter.State;

/// <summary>Typed reads and transaction operations on the shared store, serialised with the contracts' JSON options.</summary>
public static class NatterState
{
    public static readonly IReadOnlyDictionary<string, string> RetentionTtl =
        new Dictionary<string, string> { ["ttlInSeconds"] = Retention.PeriodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    private static readonly StateOptions CreateOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    // Above RetryOnConflictAsync's default: an index that every writer touches (e.g. a day's expiry bucket) is a hot key.
    private const int UpdateAttempts = 25;

    /// <summary>Bulk get: every key gets an entry; missing ones have a null value and a null etag.</summary>
    public static async Task<Dictionary<string, (T? Value, string? ETag)>> ReadManyAsync<T>(
        this DaprClient dapr, IReadOnlyCollection<string> keys, CancellationToken ct) where T : class
    {
        var raw = await dapr.ReadManyRawAsync(keys, ct);
        var result = new Dictionary<string, (T?, string?)>(raw.Count, StringComparer.Ordinal);
        foreach (var (key, (json, etag)) in raw)
        {
            result[key] = (json is null ? null : JsonSerializer.Deserialize<T>(json, NatterJson.Options), etag);
        }
        return result;
    }

    /// <summary>Bulk get of documents of different types: the JSON text of each (null when missing) and its etag.</summary>
    public static async Task<Dictionary<string, (string? Json, string? ETag)>> ReadManyRawAsync(
        this DaprClient dapr, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var result = new Dictionary<string, (string?, string?)>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }
        var items = await dapr.GetBulkStateAsync(StateKeys.StoreName, [.. keys], parallelism: null, cancellationToken: ct);
        foreach (var item in items)
        {
            result[item.Key] = (string.IsNullOrEmpty(item.Value) ? null : item.Value, string.IsNullOrEmpty(item.ETag) ? null : item.ETag);
        }
        foreach (var key in keys)
        {
            result.TryAdd(key, (null, null));
        }
        return result;
    }

    public static T? Parse<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, NatterJson.Options);

    public static async Task<(T? Value, string? ETag)> ReadAsync<T>(this DaprClient dapr, string key, CancellationToken ct) where T : class
    {
        var (value, etag) = await dapr.GetStateAndETagAsync<T?>(StateKeys.StoreName, key, cancellationToken: ct);
        return (value, string.IsNullOrEmpty(etag) ? null : etag);
    }

    /// <summary>
    /// A guarded upsert for a transaction: with the etag read with the value it replaces exactly that version. Without
    /// an etag it is first-write, which state.in-memory enforces as create-only but state.redis does not inside a
    /// transaction: a key that must be created exactly once is created through <see cref="UpdateAsync{T}"/> first.
    /// </summary>
    public static StateTransactionRequest Upsert<T>(string key, T value, string? etag, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, NatterJson.Options), StateOperationType.Upsert, etag, metadata, FirstWrite);

    /// <summary>An unconditional write, for keys only one writer can ever address (an inbox entry below a guarded head).</summary>
    public static StateTransactionRequest Put(string key, byte[] json, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, json, StateOperationType.Upsert, null, metadata);

    /// <summary>A delete guarded by the etag read with the value (none: unconditional).</summary>
    public static StateTransactionRequest Delete(string key, string? etag = null) =>
        new(key, null, StateOperationType.Delete, etag, null, etag is null ? null : FirstWrite);

    public static Task CommitAsync(this DaprClient dapr, IReadOnlyList<StateTransactionRequest> operations, CancellationToken ct) =>
        dapr.ExecuteStateTransactionAsync(StateKeys.StoreName, operations, cancellationToken: ct);

    /// <summary>
    /// A write that lost a race, so reading again and deciding again may succeed. daprd answers an etag mismatch on a
    /// save or delete with gRPC Aborted, but every failed transaction (its etag mismatches included) and a lost
    /// create-only save on state.redis with Internal; the local sidecar does the same. Too large (ResourceExhausted),
    /// ill-formed (InvalidArgument) or unauthenticated requests are not conflicts: retrying them only burns the deadline.
    /// </summary>
    public static bool IsConflict(Exception e) =>
        e is DaprException { InnerException: Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Aborted or Grpc.Core.StatusCode.Internal } };

    /// <summary>
    /// Runs an optimistic read-modify-write a bounded number of times. The pause grows exponentially up to 100 ms and
    /// is drawn at random below that ("full jitter"), so many writers on one hot key (a device's inbox head that
    /// twenty chats write at once) spread out instead of colliding again in lockstep.
    /// </summary>
    public static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> attempt, ILogger logger, CancellationToken ct, int maxAttempts = 10)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (IsConflict(e) && i < maxAttempts)
            {
                logger.LogDebug(e, "State conflict on attempt {Attempt}; retrying", i);
                var ceiling = Math.Min(100, 2 << Math.Min(i, 6));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling + 1)), ct);
            }
        }
    }

    /// <summary>
    /// Reads the key, lets <paramref name="decide"/> choose from its current value, and writes under the etag it read;
    /// on conflict it reads and decides again. Returns the value now stored (null when deleted or still absent).
    /// A missing key has no etag, so its first save is create-only (see <see cref="Upsert{T}"/>).
    /// </summary>
    public static Task<T?> UpdateAsync<T>(this DaprClient dapr, string key, Func<T?, StateChange<T>> decide, CancellationToken ct)
        where T : class =>
        RetryOnConflictAsync(async () =>
        {
            var (current, etag) = await dapr.ReadAsync<T>(key, ct);
            var change = decide(current);
            switch (change.Kind)
            {
                case StateChangeKind.Save when etag is null:
                    // Create-only is a plain first-write save: state.redis ignores first-write inside transactions.
                    await dapr.SaveStateAsync(StateKeys.StoreName, key, change.Value!, CreateOnly, cancellationToken: ct);
                    return change.Value;
                case StateChangeKind.Save:
                    await dapr.CommitAsync([Upsert(key, change.Value!, etag)], ct);
                    return change.Value;
                case StateChangeKind.Delete:
                    // Without an etag the key was absent: an unguarded delete could remove a value written since.
                    if (etag is not null)
                    {
                        await dapr.CommitAsync([Delete(key, etag)], ct);
                    }
                    return null;
                default: // Keep
                    return current;
            }
        }, NullLogger.Instance, ct, UpdateAttempts);
}
