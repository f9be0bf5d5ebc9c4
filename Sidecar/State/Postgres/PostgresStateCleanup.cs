namespace Natter.Sidecar.State.Postgres;

/// <summary>Runs each state.postgresql store's expired-row cleanup every cleanupInterval (first run one interval after start, as daprd).</summary>
public sealed class PostgresStateCleanup(StateStoreRegistry registry, TimeProvider time, ILogger<PostgresStateCleanup> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(registry.All.OfType<PostgresStateStore>()
            .Where(s => s.Options.CleanupInterval is not null)
            .Select(s => RunAsync(s, s.Options.CleanupInterval!.Value, stoppingToken)));

    private async Task RunAsync(PostgresStateStore store, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    if (await store.CleanupExpiredAsync(interval, ct) is { } removed)
                    {
                        logger.LogInformation("State store {Store}: removed {Count} expired rows", store.Name, removed);
                    }
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    logger.LogWarning(e, "State store {Store}: expired-row cleanup failed; retrying next interval", store.Name);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
