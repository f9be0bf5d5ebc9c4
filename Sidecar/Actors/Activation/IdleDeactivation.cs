using Natter.Sidecar.Actors.Configuration;

namespace Natter.Sidecar.Actors.Activation;

/// <summary>
/// Every actorScanInterval, tells the app to deactivate actors unused for actorIdleTimeout (per type when the app
/// configured one), as daprd does. An actor with a queued or running call is never idle.
/// </summary>
public sealed class IdleDeactivation(ActiveActors actors, ActorTypesRegistry types, TimeProvider time, ILogger<IdleDeactivation> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = await types.WhenKnown.WaitAsync(stoppingToken);
        if (config.Entities.Count == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(config.ScanInterval, time);
        while (await NextScanAsync(timer, stoppingToken))
        {
            foreach (var activation in actors.All)
            {
                var timeout = config.IdleTimeoutFor(activation.Key.Type);
                if (activation.IdleFor < timeout)
                {
                    continue;
                }
                try
                {
                    await actors.DeactivateAsync(activation, onlyIfIdle: true, timeout, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Idle deactivation of {Actor} failed", activation.Key);
                }
            }
        }
    }

    private static async Task<bool> NextScanAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false; // Stopping.
        }
    }
}
