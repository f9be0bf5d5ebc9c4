using System.Text.Json;
using StackExchange.Redis;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// Leases in the actor state store's Redis: a sorted set of instance ids scored by expiry (Redis server time, so
/// hosts' clocks never disagree) and a hash of host descriptions. One script renews and reads in a single round trip.
/// </summary>
public sealed class RedisPlacementStore(IConnectionMultiplexer redis) : IPlacementStore
{
    private const string LeasesKey = "actors:placement:leases";
    private const string HostsKey = "actors:placement:hosts";

    private static readonly LuaScript RenewAndRead = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', @leases, now + tonumber(@ttl), @id)
        redis.call('HSET', @hosts, @id, @info)
        local expired = redis.call('ZRANGEBYSCORE', @leases, '-inf', now)
        for _, dead in ipairs(expired) do
          redis.call('HDEL', @hosts, dead)
        end
        redis.call('ZREMRANGEBYSCORE', @leases, '-inf', now)
        local live = redis.call('ZRANGE', @leases, 0, -1)
        if #live == 0 then
          return {}
        end
        return redis.call('HMGET', @hosts, unpack(live))
        """);

    public async Task<IReadOnlyList<PlacementHost>> RenewAndReadAsync(PlacementHost self, TimeSpan ttl, CancellationToken ct)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(RenewAndRead, new
        {
            leases = (RedisKey)LeasesKey,
            hosts = (RedisKey)HostsKey,
            id = self.InstanceId,
            ttl = (long)ttl.TotalMilliseconds,
            info = JsonSerializer.Serialize(self),
        });
        var hosts = new List<PlacementHost>();
        foreach (var entry in (RedisResult[])result!)
        {
            if (!entry.IsNull && JsonSerializer.Deserialize<PlacementHost>((string)entry!) is { } host)
            {
                hosts.Add(host);
            }
        }
        return hosts;
    }

    public async Task ReleaseAsync(PlacementHost self, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        await db.SortedSetRemoveAsync(LeasesKey, self.InstanceId);
        await db.HashDeleteAsync(HostsKey, self.InstanceId);
    }
}
