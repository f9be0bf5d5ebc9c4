using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>A service is only useful with its sidecar: /health reports whether this service reaches its own.</summary>
public sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the Dapr sidecar does not answer /v1.0/healthz");
}
