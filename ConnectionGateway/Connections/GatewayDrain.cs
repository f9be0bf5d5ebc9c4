using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// The gateway's half of a rolling update. On SIGTERM it fails readiness, refuses new upgrades (503), and closes its
/// sockets with 1001 at moments spread over Gateway:DrainWindow, so clients move to the other gateways gradually rather
/// than all at once. Each connection lets its running command answer and saves its inbox tail before it ends; Kestrel's
/// own graceful stop, which runs after this, waits for those connections to finish.
/// </summary>
public sealed class GatewayDrain(
    ConnectionRegistry connections,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<GatewayDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    public const string HealthCheckName = "draining";

    private const string Reason = "the gateway is shutting down; reconnect to another gateway";

    private volatile bool _draining;

    public bool Draining => _draining;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any hosted service stops, the web server included, so the sockets drain while it still serves them.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var open = connections.Snapshot().ToArray();
        Random.Shared.Shuffle(open);
        var window = options.Value.DrainWindow;
        logger.LogInformation("Draining {Count} sockets over {Window}", open.Length, window);
        var started = time.GetTimestamp();
        try
        {
            for (var i = 0; i < open.Length; i++)
            {
                var wait = window * i / open.Length - time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
                open[i].RequestClose(CloseCodes.GoingAway, Reason);
            }
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: whatever is left is closed now.
        }
        // Sockets accepted while the snapshot was taken.
        connections.CloseAll(CloseCodes.GoingAway, Reason);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Readiness: a draining gateway takes no new clients, so it reports unhealthy until it exits.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("draining: shutting down") : HealthCheckResult.Healthy());

    /// <summary>
    /// The host allows the drain window, then a running command's grace, then the close handshake and the farewell
    /// writes (about 10 s) before it gives up on what is left.
    /// </summary>
    public static TimeSpan ShutdownTimeout(GatewayOptions options) =>
        options.DrainWindow + options.CommandGrace + TimeSpan.FromSeconds(10);
}
