using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Natter.Sidecar.Redis;

/// <summary>
/// One shared ConnectionMultiplexer per distinct Redis address: components on the same Redis share its pipeline.
/// Blocking reads (XREADGROUP BLOCK) get their own connection, because a blocked command stalls a multiplexer.
/// </summary>
public sealed class RedisConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ConnectionMultiplexer>> _shared = new();
    private readonly ConcurrentBag<ConnectionMultiplexer> _dedicated = [];

    public IConnectionMultiplexer Shared(string host, string? password) =>
        _shared.GetOrAdd($"{host}|{password}", _ => new Lazy<ConnectionMultiplexer>(() => Connect(host, password, "shared"))).Value;

    /// <summary>A connection of its own, speaking RESP2 so XREADGROUP replies keep their array shape.</summary>
    public IConnectionMultiplexer Dedicated(string host, string? password, string purpose)
    {
        var connection = Connect(host, password, purpose, RedisProtocol.Resp2);
        _dedicated.Add(connection);
        return connection;
    }

    private ConnectionMultiplexer Connect(string host, string? password, string purpose, RedisProtocol? protocol = null)
    {
        var options = ConfigurationOptions.Parse(host);
        options.Password = string.IsNullOrEmpty(password) ? options.Password : password;
        // Keep trying in the background: Redis may start after the sidecar, as it may with daprd.
        options.AbortOnConnectFail = false;
        options.ClientName = $"natter-sidecar-{purpose}";
        options.Protocol = protocol ?? options.Protocol;
        return ConnectionMultiplexer.Connect(options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _shared.Values.Where(l => l.IsValueCreated))
        {
            await lazy.Value.DisposeAsync();
        }
        foreach (var connection in _dedicated)
        {
            await connection.DisposeAsync();
        }
    }
}
