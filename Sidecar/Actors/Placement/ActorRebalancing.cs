using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Reminders;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// The losing host's half of a placement change (the new owner's is <see cref="ActorHandoff"/>): actors this host no
/// longer owns are deactivated in its app after their running turn, waiting at most drainOngoingCallTimeout as
/// daprd's drainRebalancedActors does, and reminders follow their actors. A graceful stop drains every actor the same
/// way before the lease is released, so no new owner starts a turn while one still runs here.
/// </summary>
public sealed class ActorRebalancing(
    ActorPlacement placement,
    ActiveActors actors,
    ActorReminders reminders,
    Configuration.ActorTypesRegistry types,
    ILogger<ActorRebalancing> logger) : IHostedService
{
    private CancellationTokenSource? _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        placement.Changed += OnChangedAsync;
        return Task.CompletedTask;
    }

    // Runs before ActorPlacement.StopAsync (hosted services stop in reverse order), which releases the lease.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        placement.Changed -= OnChangedAsync;
        placement.BeginLeaving();
        var active = actors.All.ToList();
        if (active.Count > 0)
        {
            logger.LogInformation("Stopping: draining {Count} active actors", active.Count);
            await DrainAsync(active, cancellationToken);
        }
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
            await DrainAsync(moved, ct);
        }
        await reminders.ReloadAsync(table, ct);
    }

    private Task DrainAsync(IEnumerable<ActorActivation> activations, CancellationToken ct) =>
        Task.WhenAll(activations.Select(a => actors.DrainAsync(a.Key, types.Config.DrainOngoingCallTimeout, ct)));
}
