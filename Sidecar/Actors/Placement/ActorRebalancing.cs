using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Reminders;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// Keeps activation single when the host set changes: actors this host no longer owns are deactivated in its app
/// (after their current turn) before the new owner's app may activate them with stale cached state, and reminders
/// follow their actors.
/// </summary>
public sealed class ActorRebalancing(
    ActorPlacement placement,
    ActiveActors actors,
    ActorReminders reminders,
    ILogger<ActorRebalancing> logger) : IHostedService
{
    private CancellationTokenSource? _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        placement.Changed += OnChangedAsync;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        placement.Changed -= OnChangedAsync;
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
            _stopping.Dispose();
        }
    }

    private async Task OnChangedAsync(PlacementTable table)
    {
        var ct = _stopping?.Token ?? CancellationToken.None;
        var moved = actors.All
            .Where(a => table.Owner(a.Key.Type, a.Key.Id) is not { } owner || !placement.IsSelf(owner))
            .ToList();
        if (moved.Count > 0)
        {
            logger.LogInformation("Placement moved {Count} active actors away; deactivating them here", moved.Count);
            await Task.WhenAll(moved.Select(a => actors.DeactivateAsync(a, onlyIfIdle: false, TimeSpan.Zero, ct)));
        }
        await reminders.ReloadAsync(table, ct);
    }
}
