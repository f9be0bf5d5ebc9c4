using Natter.Sidecar.Components;
using StackExchange.Redis;

namespace Natter.Sidecar.State;

/// <summary>
/// state.redis with Dapr's layout: one hash per key with fields "data" and "version"; the etag is the version.
/// Every write runs as one Lua script, so etag checks and multi-key transactions are atomic on the server.
/// </summary>
public sealed class RedisStateStore(string name, bool isActorStateStore, IConnectionMultiplexer redis) : IStateStore
{
    private static readonly RedisValue[] HashFields = ["data", "version"];

    // ARGV holds 4 values per key: operation (u|d), etag ("" = no check), data, ttl ("" = never expires, n seconds).
    // All etags are checked before anything is written, so one stale etag leaves every key untouched.
    private const string TransactionScript = """
        for i = 1, #KEYS do
          local etag = ARGV[(i - 1) * 4 + 2]
          if etag ~= '' then
            local version = redis.call('HGET', KEYS[i], 'version')
            if version ~= etag then return KEYS[i] end
          end
        end
        for i = 1, #KEYS do
          local b = (i - 1) * 4
          if ARGV[b + 1] == 'd' then
            redis.call('DEL', KEYS[i])
          else
            redis.call('HINCRBY', KEYS[i], 'version', 1)
            redis.call('HSET', KEYS[i], 'data', ARGV[b + 3])
            local ttl = ARGV[b + 4]
            if ttl == '' then redis.call('PERSIST', KEYS[i]) else redis.call('EXPIRE', KEYS[i], tonumber(ttl)) end
          end
        end
        return ''
        """;

    public string Name { get; } = name;

    public bool IsActorStateStore { get; } = isActorStateStore;

    public static RedisStateStore Create(ComponentSpec spec, Redis.RedisConnections connections) =>
        new(spec.Name, spec.GetBool("actorStateStore"), connections.Shared(spec.Required("redisHost"), spec.Get("redisPassword")));

    public async Task<StateEntry?> GetAsync(string key, CancellationToken ct)
    {
        var values = await redis.GetDatabase().HashGetAsync(key, HashFields);
        return ToEntry(key, values);
    }

    public async Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        // Pipelined: every HMGET is written before the first reply is awaited.
        var db = redis.GetDatabase();
        var pending = keys.Select(k => db.HashGetAsync(k, HashFields)).ToArray();
        var results = await Task.WhenAll(pending);
        return keys.Select((k, i) => ToEntry(k, results[i])).ToArray();
    }

    public Task SetAsync(StateWrite write, CancellationToken ct) => TransactAsync([StateOperation.Upsert(write)], ct);

    public async Task DeleteAsync(string key, string? etag, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(etag))
        {
            await redis.GetDatabase().KeyDeleteAsync(key);
            return;
        }
        await TransactAsync([StateOperation.Delete(key, etag)], ct);
    }

    public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct)
    {
        if (operations.Count == 0)
        {
            return;
        }
        var keys = new RedisKey[operations.Count];
        var args = new RedisValue[operations.Count * 4];
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            if (op.Write is { } write)
            {
                keys[i] = write.Key;
                args[i * 4] = "u";
                args[i * 4 + 1] = write.Etag ?? "";
                args[i * 4 + 2] = write.Value;
                args[i * 4 + 3] = write.TtlSeconds is { } ttl ? ttl : "";
            }
            else
            {
                keys[i] = op.DeleteKey ?? throw new ArgumentException("A state operation needs a write or a delete key.");
                args[i * 4] = "d";
                args[i * 4 + 1] = op.DeleteEtag ?? "";
                args[i * 4 + 2] = RedisValue.EmptyString;
                args[i * 4 + 3] = "";
            }
        }
        var result = (string?)await redis.GetDatabase().ScriptEvaluateAsync(TransactionScript, keys, args);
        if (!string.IsNullOrEmpty(result))
        {
            throw new EtagMismatchException(result);
        }
    }

    private static StateEntry? ToEntry(string key, RedisValue[] values) =>
        values[0].IsNull && values[1].IsNull ? null : new StateEntry(key, (byte[]?)values[0] ?? [], (string?)values[1] ?? "");
}
