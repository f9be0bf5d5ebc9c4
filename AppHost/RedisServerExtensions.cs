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
        var healthKey = $"{name}-tcp";
        var redis = builder.AddExecutable(name, "redis-server", paths.DataFolder(name))
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithHealthCheck(healthKey);
        var endpoint = redis.GetEndpoint("tcp");
        redis.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            context.Args.Add("--bind");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--dir");
            context.Args.Add(paths.DataFolder(name));
            // AOF with fsync every second: an accepted message survives a Redis restart.
            context.Args.Add("--appendonly");
            context.Args.Add("yes");
            context.Args.Add("--appendfsync");
            context.Args.Add("everysec");
            context.Args.Add("--save");
            context.Args.Add("");
        });
        builder.Services.AddHealthChecks().AddRedisPingCheck(healthKey, endpoint);
        return redis;
    }

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
