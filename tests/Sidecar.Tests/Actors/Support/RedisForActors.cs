using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Actors.Support;

/// <summary>Each actor test gets its own redis-server: placement leases are global to a Redis, so tests must not share one.</summary>
public static class RedisForActors
{
    public static async Task<OwnedRedis> StartRedisAsync()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        return new OwnedRedis(redis);
    }
}

public sealed class OwnedRedis(RedisServer server) : IAsyncDisposable
{
    public RedisServer Server { get; } = server;

    public string Address => Server.Address;

    public StackExchange.Redis.IDatabase Database => Server.Database;

    public static implicit operator RedisServer(OwnedRedis owned) => owned.Server;

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
