using Dapr.Client;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// A gateway without its sidecar can deliver nothing and store nothing, yet its sockets stay open and every send
/// would answer "unavailable" for as long as the sidecar is gone. So the gateway watches its sidecar: after a few
/// failed checks in a row it closes its sockets with 1001 (clients reconnect to another gateway) and refuses new
/// upgrades with 503 until the sidecar answers again.
/// </summary>
public sealed class SidecarWatch(DaprClient dapr, ConnectionRegistry connections, TimeProvider time, ILogger<SidecarWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1);
    private const int FailuresBeforeShedding = 3; // ~3 s: longer than a hiccup, far shorter than a sidecar restart

    private volatile bool _reachable = true;

    public bool SidecarReachable => _reachable;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var failures = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            failures = await IsHealthyAsync(stoppingToken) ? 0 : failures + 1;
            if (failures == FailuresBeforeShedding)
            {
                _reachable = false;
                logger.LogWarning("The Dapr sidecar is unreachable; closing {Count} sockets so their clients move to another gateway", connections.Count);
                connections.CloseAll(CloseCodes.GoingAway, "the gateway lost its sidecar; reconnect to another gateway");
            }
            else if (failures == 0 && !_reachable)
            {
                _reachable = true;
                logger.LogInformation("The Dapr sidecar answers again; accepting sockets");
            }
        }
    }

    private async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await dapr.CheckHealthAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
