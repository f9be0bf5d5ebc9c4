using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Natter.AppHost;

/// <summary>
/// PostgreSQL as an executable resource (postgres-server.sh), started only when the selected Dapr:ResourcesPath set
/// has a state.postgresql component: swapping the state backend stays a matter of YAML alone.
/// </summary>
public static partial class PostgresServerExtensions
{
    /// <summary>The database user postgres-server.sh creates; trust authentication on 127.0.0.1.</summary>
    public const string User = "natter";

    /// <summary>
    /// Adds the server and gives every sidecar POSTGRES_CONNECTION_STRING (read through secretstores.local.env, as
    /// REDIS_HOST is) and a wait for it. Call it after every WithDaprSidecar: sidecars are the "-dapr" resources.
    /// </summary>
    public static IDistributedApplicationBuilder WithPostgresStateWhenSelected(
        this IDistributedApplicationBuilder builder, DaprSidecarOptions dapr, NatterPaths paths, string name = "postgres")
    {
        if (!SelectsPostgres(dapr.ResourcesPath))
        {
            return builder;
        }
        var healthKey = $"{name}-tcp";
        var data = paths.DataFolder(name);
        var postgres = builder.AddExecutable(name, Path.Combine(paths.RepoRoot, "AppHost", "postgres-server.sh"), data)
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithHealthCheck(healthKey);
        var endpoint = postgres.GetEndpoint("tcp");
        postgres.WithArgs(context =>
        {
            context.Args.Add(data);
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });
        builder.Services.AddHealthChecks().AddPostgresAnswersCheck(healthKey, endpoint);

        var connectionString = ReferenceExpression.Create(
            $"host=127.0.0.1 port={endpoint.Property(EndpointProperty.Port)} user={User} database=postgres");
        foreach (var sidecar in builder.Resources.Where(r => r.Name.EndsWith("-dapr", StringComparison.Ordinal)).ToList())
        {
            if (sidecar is IResourceWithEnvironment and IResourceWithWaitSupport)
            {
                var resource = builder.CreateResourceBuilder((IResourceWithEnvironment)sidecar);
                resource.WithEnvironment("POSTGRES_CONNECTION_STRING", connectionString);
                builder.CreateResourceBuilder((IResourceWithWaitSupport)sidecar).WaitFor(postgres);
            }
        }
        return builder;
    }

    /// <summary>Whether any component file at the top of the set (where Dapr reads them) is a state.postgresql.</summary>
    public static bool SelectsPostgres(string resourcesPath) =>
        Directory.EnumerateFiles(resourcesPath)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Any(f => PostgresStateType().IsMatch(File.ReadAllText(f)));

    [GeneratedRegex(@"^\s*type:\s*[""']?state\.postgresql[""']?\s*$", RegexOptions.Multiline)]
    private static partial Regex PostgresStateType();

    /// <summary>
    /// postgres itself answering, not just the port: an SSLRequest (length 8, code 80877103) gets one byte back,
    /// 'S' or 'N', from a running server.
    /// </summary>
    private static IHealthChecksBuilder AddPostgresAnswersCheck(this IHealthChecksBuilder checks, string key, EndpointReference endpoint) =>
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
                await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F }, ct);
                var reply = new byte[1];
                return await stream.ReadAsync(reply, ct) == 1 && reply[0] is (byte)'S' or (byte)'N'
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("no answer to SSLRequest");
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
}
