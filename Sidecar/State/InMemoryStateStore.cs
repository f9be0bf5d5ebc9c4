namespace Natter.Sidecar.State;

/// <summary>
/// state.in-memory: the same etag, TTL and transaction semantics as state.redis, inside this process only.
/// One lock serialises writes, which is what makes transactions atomic.
/// </summary>
public sealed class InMemoryStateStore(string name, bool isActorStateStore, TimeProvider time) : IStateStore
{
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _writes;

    public string Name { get; } = name;

    public bool IsActorStateStore { get; } = isActorStateStore;

    public Task<StateEntry?> GetAsync(string key, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(Read(key, time.GetUtcNow()));
        }
    }

    public Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return Task.FromResult<IReadOnlyList<StateEntry?>>(keys.Select(k => Read(k, now)).ToArray());
        }
    }

    public Task SetAsync(StateWrite write, CancellationToken ct) => TransactAsync([StateOperation.Upsert(write)], ct);

    public Task DeleteAsync(string key, string? etag, StateConcurrency concurrency, CancellationToken ct) =>
        TransactAsync([StateOperation.Delete(key, etag, concurrency)], ct);

    public Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var op in operations)
            {
                var (key, etag, concurrency) = op.Write is { } w
                    ? (w.Key, w.Etag, w.Concurrency)
                    : (op.DeleteKey!, op.DeleteEtag, op.DeleteConcurrency);
                Validate(key, etag, concurrency, now);
            }
            foreach (var op in operations)
            {
                if (op.Write is { } write)
                {
                    var version = (Read(write.Key, now) is { } current ? long.Parse(current.Etag, System.Globalization.CultureInfo.InvariantCulture) : 0) + 1;
                    DateTimeOffset? expires = write.TtlSeconds is int ttl and > 0 ? now.AddSeconds(ttl) : null;
                    _items[write.Key] = new Item(write.Value.ToArray(), version, expires);
                }
                else
                {
                    _items.Remove(op.DeleteKey!);
                }
            }
            if (++_writes % 1024 == 0)
            {
                Sweep(now);
            }
        }
        return Task.CompletedTask;
    }

    // components-contrib's doValidateEtag, for saves and deletes alike: first-write without an etag means "must not
    // exist"; an etag, whatever the concurrency, must equal the current one.
    private void Validate(string key, string? etag, StateConcurrency concurrency, DateTimeOffset now)
    {
        var current = Read(key, now);
        if (string.IsNullOrEmpty(etag))
        {
            if (concurrency == StateConcurrency.FirstWrite && current is not null)
            {
                throw new EtagMismatchException(key, "possible etag mismatch. error from state store: item already exists and no etag was passed");
            }
            return;
        }
        if (current is null)
        {
            throw new EtagMismatchException(key, $"possible etag mismatch. error from state store: state not exist or expired for key={key}");
        }
        if (current.Etag != etag)
        {
            throw new EtagMismatchException(key,
                $"possible etag mismatch. error from state store: state etag not match for key={key}: current={current.Etag}, expect={etag}");
        }
    }

    private StateEntry? Read(string key, DateTimeOffset now)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }
        if (item.ExpiresAt <= now)
        {
            _items.Remove(key);
            return null;
        }
        return new StateEntry(key, item.Value, item.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // Expired items nobody reads again would otherwise stay forever.
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, item) in _items)
        {
            if (item.ExpiresAt <= now)
            {
                _items.Remove(key);
            }
        }
    }

    private sealed record Item(byte[] Value, long Version, DateTimeOffset? ExpiresAt);
}
