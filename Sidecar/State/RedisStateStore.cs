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

    // ARGV holds 5 values per key: operation (u|d), expected version ("0" = no etag), data, ttl ("" = never expires,
    // n seconds) and mark ("1": a first-write save, which marks the key as components-contrib's setDefaultQuery does).
    // The checks are components-contrib's: a save passes when the key is absent, its version equals the etag, or no
    // etag was given and the key carries no first-write mark; a delete passes when the key is absent, its version
    // equals the etag, or no etag was given. Every check runs before anything is written, so a transaction is all or
    // nothing (components-contrib's MULTI/EXEC is not: see Sidecar/README.md). Returns the failing operation's index.
    private const string TransactionScript = """
        for i = 1, #KEYS do
          local b = (i - 1) * 5
          local expected = ARGV[b + 2]
          local version = redis.call('HGET', KEYS[i], 'version')
          if version and version ~= '' and version ~= expected then
            if ARGV[b + 1] == 'd' then
              if expected ~= '0' then return i end
            elseif expected ~= '0' or redis.call('HEXISTS', KEYS[i], 'first-write') == 1 then
              return i
            end
          end
        end
        for i = 1, #KEYS do
          local b = (i - 1) * 5
          if ARGV[b + 1] == 'd' then
            redis.call('DEL', KEYS[i])
          else
            redis.call('HSET', KEYS[i], 'data', ARGV[b + 3])
            if ARGV[b + 5] == '1' then redis.call('HSET', KEYS[i], 'first-write', 0) end
            redis.call('HINCRBY', KEYS[i], 'version', 1)
            local ttl = ARGV[b + 4]
            if ttl == '' then redis.call('PERSIST', KEYS[i]) else redis.call('EXPIRE', KEYS[i], tonumber(ttl)) end
          end
        end
        return 0
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

    // SaveState marks first-write keys; components-contrib's Multi does not pass the mark, so a transaction never does.
    public Task SetAsync(StateWrite write, CancellationToken ct) => RunAsync([StateOperation.Upsert(write)], markFirstWrite: true);

    public Task DeleteAsync(string key, string? etag, StateConcurrency concurrency, CancellationToken ct) =>
        RunAsync([StateOperation.Delete(key, etag)], markFirstWrite: false);

    public Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct) =>
        RunAsync(operations, markFirstWrite: false);

    private async Task RunAsync(IReadOnlyList<StateOperation> operations, bool markFirstWrite)
    {
        if (operations.Count == 0)
        {
            return;
        }
        var keys = new RedisKey[operations.Count];
        var args = new RedisValue[operations.Count * 5];
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var b = i * 5;
            if (op.Write is { } write)
            {
                keys[i] = write.Key;
                args[b] = "u";
                args[b + 1] = ExpectedVersion(write);
                args[b + 2] = write.Value;
                args[b + 3] = write.TtlSeconds is { } ttl ? ttl : "";
                args[b + 4] = markFirstWrite && write.Concurrency == StateConcurrency.FirstWrite ? "1" : "0";
            }
            else
            {
                keys[i] = op.DeleteKey ?? throw new ArgumentException("A state operation needs a write or a delete key.");
                args[b] = "d";
                // components-contrib's Delete compares the etag as given, whatever the concurrency.
                args[b + 1] = string.IsNullOrEmpty(op.DeleteEtag) ? "0" : op.DeleteEtag;
                args[b + 2] = RedisValue.EmptyString;
                args[b + 3] = "";
                args[b + 4] = "0";
            }
        }
        var failed = (int)await redis.GetDatabase().ScriptEvaluateAsync(TransactionScript, keys, args);
        if (failed > 0)
        {
            var op = operations[failed - 1];
            throw op.Write is { } write
                ? string.IsNullOrEmpty(write.Etag) ? new FirstWriteConflictException(write.Key) : new EtagMismatchException(write.Key)
                : new EtagMismatchException(op.DeleteKey!);
        }
    }

    // components-contrib's parseETag: last-write or no etag means "0" (no check); anything else must be an integer.
    private static string ExpectedVersion(StateWrite write)
    {
        if (write.Concurrency == StateConcurrency.LastWrite || string.IsNullOrEmpty(write.Etag))
        {
            return "0";
        }
        return long.TryParse(write.Etag, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : throw new EtagInvalidException(write.Key, write.Etag);
    }

    private static StateEntry? ToEntry(string key, RedisValue[] values) =>
        values[0].IsNull && values[1].IsNull ? null : new StateEntry(key, (byte[]?)values[0] ?? [], (string?)values[1] ?? "");
}
