using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Natter.AppHost;

/// <summary>redis-server as an executable resource: container resources need a Docker engine we do not have.</summary>
public static class RedisServerExtensions
{
    public static IResourceBuilder<ExecutableResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, NatterPaths paths)
    {
        // Without this, a missing redis-server is a restart loop in the supervisor and a dashboard of resources waiting
        // on Redis forever; a published deployment brings its own Redis, so only a local run needs the binary.
        if (builder.ExecutionContext.IsRunMode && ExecutableSearch.OnPath("redis-server") is null)
        {
            throw new InvalidOperationException(
                "redis-server is not installed (not found on PATH): install it (Debian: apt-get install redis-server); ./natter up does it for you.");
        }
        var appendFsync = AppendFsync(builder.Configuration["Redis:AppendFsync"]);
        var maxMemory = builder.Configuration["Redis:MaxMemory"] is { Length: > 0 } configured ? configured : DefaultMaxMemory;
        var healthKey = $"{name}-tcp";
        var redis = builder.AddExecutable(name, "redis-server", paths.DataFolder(name))
            // Not proxied: every sidecar's state and pub/sub traffic goes straight to redis-server, not through a relay.
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithHealthCheck(healthKey);
        var endpoint = redis.GetEndpoint("tcp");
        redis.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.Port)); // unproxied: the port clients use is the one it binds
            context.Args.Add("--bind");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--dir");
            context.Args.Add(paths.DataFolder(name));
            // AOF: an accepted message survives a Redis restart; with "everysec" a crash of the machine (not just of
            // Redis) may lose the last second of writes, with "always" nothing acknowledged is lost.
            context.Args.Add("--appendonly");
            context.Args.Add("yes");
            context.Args.Add("--appendfsync");
            context.Args.Add(appendFsync);
            context.Args.Add("--save");
            context.Args.Add("");
            // Full means refuse writes (the send fails, and says so), never silently evict someone's inbox.
            context.Args.Add("--maxmemory");
            context.Args.Add(maxMemory);
            context.Args.Add("--maxmemory-policy");
            context.Args.Add("noeviction");
        });
        builder.Services.AddHealthChecks().AddRedisPingCheck(healthKey, endpoint);
        return redis;
    }

    /// <summary>Redis:MaxMemory when not configured: room for a developer's machine; deployments size it.</summary>
    public const string DefaultMaxMemory = "1gb";

    /// <summary>Redis:AppendFsync: always | everysec (default) | no, as redis.conf spells them.</summary>
    private static string AppendFsync(string? configured) => configured?.ToLowerInvariant() switch
    {
        null or "" => "everysec",
        "always" or "everysec" or "no" => configured.ToLowerInvariant(),
        _ => throw new InvalidOperationException($"Redis:AppendFsync must be always, everysec or no, not '{configured}'."),
    };

    /// <summary>The address Dapr components read through the env secret store.</summary>
    public static ReferenceExpression HostAndPort(this IResourceBuilder<ExecutableResource> redis) =>
        ReferenceExpression.Create($"127.0.0.1:{redis.GetEndpoint("tcp").Property(EndpointProperty.Port)}");

    /// <summary>A real PING through the endpoint: a listening proxy alone does not prove Redis is up.</summary>
    private static IHealthChecksBuilder AddRedisPingCheck(this IHealthChecksBuilder checks, string key, EndpointReference endpoint) =>
        checks.AddAsyncCheck(key, async ct =>
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("endpoint not allocated yet");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", endpoint.Port, ct);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, ct);
                return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("no PONG");
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
}
