using Natter.Sidecar.State;
using StackExchange.Redis;

namespace Natter.Sidecar.Tests.Actors.Support;

/// <summary>
/// A Redis-backed <see cref="IStateStore"/> for the actor tests until the core branch's state.redis lands here:
/// each key is a hash {data, version}, and etag checks run inside one Lua script per operation set.
/// </summary>
public sealed class RedisActorStateStore(IConnectionMultiplexer redis) : IStateStore
{
    private static readonly LuaScript Apply = LuaScript.Prepare("""
        local n = tonumber(@count)
        local ops = cjson.decode(@ops)
        for i = 1, n do
          local op = ops[i]
          if op.etag ~= cjson.null and op.etag ~= nil then
            local v = redis.call('HGET', op.key, 'version')
            if v ~= op.etag then
              return redis.error_reply('ETAG:' .. op.key)
            end
          end
        end
        for i = 1, n do
          local op = ops[i]
          if op.delete then
            redis.call('DEL', op.key)
          else
            redis.call('HSET', op.key, 'data', op.data)
            redis.call('HINCRBY', op.key, 'version', 1)
            if op.ttl ~= cjson.null and op.ttl ~= nil and op.ttl > 0 then
              redis.call('EXPIRE', op.key, op.ttl)
            else
              redis.call('PERSIST', op.key)
            end
          end
        end
        return n
        """);

    public string Name => "statestore";

    public bool IsActorStateStore => true;

    public async Task<StateEntry?> GetAsync(string key, CancellationToken ct)
    {
        var values = await redis.GetDatabase().HashGetAsync(key, ["data", "version"]);
        return values[0].IsNull ? null : new StateEntry(key, (byte[])values[0]!, (string)values[1]!);
    }

    public async Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        var entries = new List<StateEntry?>();
        foreach (var key in keys)
        {
            entries.Add(await GetAsync(key, ct));
        }
        return entries;
    }

    public Task SetAsync(StateWrite write, CancellationToken ct) => TransactAsync([StateOperation.Upsert(write)], ct);

    public Task DeleteAsync(string key, string? etag, CancellationToken ct) => TransactAsync([StateOperation.Delete(key, etag)], ct);

    public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct)
    {
        var ops = operations.Select(o => o.Write is { } w
            ? new Dictionary<string, object?> { ["key"] = w.Key, ["data"] = System.Text.Encoding.UTF8.GetString(w.Value.Span), ["etag"] = w.Etag, ["ttl"] = w.TtlSeconds, ["delete"] = false }
            : new Dictionary<string, object?> { ["key"] = o.DeleteKey, ["etag"] = o.DeleteEtag, ["delete"] = true });
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(Apply, new
            {
                count = operations.Count,
                ops = System.Text.Json.JsonSerializer.Serialize(ops),
            });
        }
        catch (RedisServerException ex) when (ex.Message.Contains("ETAG:", StringComparison.Ordinal))
        {
            throw new EtagMismatchException(ex.Message[(ex.Message.IndexOf("ETAG:", StringComparison.Ordinal) + 5)..]);
        }
    }
}
