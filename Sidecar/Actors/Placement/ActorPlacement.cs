using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>A placement table that a newer one replaced, and when (Environment.TickCount64).</summary>
public sealed record SupersededTable(PlacementTable Table, long SupersededAt);

/// <summary>
/// This host's view of who owns which actor. It keeps a lease in the placement store for the app's actor types and
/// re-reads the live hosts on every renewal, so the per-call owner lookup is an in-memory rendezvous hash with no
/// round trip; a host-set change is seen within one renewal interval and announced through <see cref="Changed"/>.
/// </summary>
public sealed class ActorPlacement(
    IPlacementStore store,
    ActorTypesRegistry types,
    SidecarOptions sidecar,
    IOptions<ActorsOptions> options,
    ILogger<ActorPlacement> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _refreshRequested = new(0, 1);
    private readonly Channel<PlacementTable> _changes = Channel.CreateUnbounded<PlacementTable>(new() { SingleReader = true });
    private volatile PlacementTable _table = PlacementTable.Empty;
    private volatile IReadOnlyList<SupersededTable> _superseded = [];
    private TaskCompletionSource _nextRenewal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _leaving;
    private long _leaseValidUntil;
    private PlacementHost? _self;

    public PlacementTable Table => _table;

    public string InstanceId => sidecar.InstanceId;

    /// <summary>Completes when the host table is known and other hosts have had one renewal interval to see this one.</summary>
    public Task WhenReady => _ready.Task;

    /// <summary>Raised, off the calling path, after the live host set changed.</summary>
    public event Func<PlacementTable, Task>? Changed;

    public bool IsSelf(PlacementHost host) => host.InstanceId == sidecar.InstanceId;

    /// <summary>
    /// Whether this host's lease is surely alive. After a stall (GC, starved thread pool) longer than the lease, others
    /// may already own this host's actors: it must not run a turn before it has renewed and re-read placement.
    /// </summary>
    public bool HoldsLease => !_leaving && Environment.TickCount64 < Interlocked.Read(ref _leaseValidUntil);

    /// <summary>
    /// Tables replaced within the last drain window, newest first: under each, an actor may have had another owner
    /// whose turn is still running there. The first table counts this host's start as a change (the table without it).
    /// </summary>
    public IReadOnlyList<SupersededTable> Superseded => _superseded;

    /// <summary>
    /// A graceful stop begins: no new turn starts here (calls wait, then go to the next owner once the lease is gone)
    /// while the running ones drain.
    /// </summary>
    public void BeginLeaving() => _leaving = true;

    /// <summary>Completes after two renewals that started after this call: the table then holds every change before it.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        for (var i = 0; i < 2; i++)
        {
            var next = Volatile.Read(ref _nextRenewal).Task;
            RequestRefresh();
            await next.WaitAsync(ct);
        }
    }

    /// <summary>Asks for an early re-read, e.g. after a forward to an owner failed because it died.</summary>
    public void RequestRefresh()
    {
        if (_refreshRequested.CurrentCount == 0)
        {
            try
            {
                _refreshRequested.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller asked at the same moment: one refresh serves both.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = await types.WhenKnown.WaitAsync(stoppingToken);
        var opts = options.Value;
        _self = new PlacementHost(
            sidecar.InstanceId,
            opts.AdvertisedAddress ?? $"http://127.0.0.1:{sidecar.DaprHttpPort}",
            sidecar.AppId,
            config.Entities);
        var renewals = 0;
        var handling = HandleChangesAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Counted from before the request: the lease Redis grants expires no earlier than this.
                var sentAt = Environment.TickCount64;
                var hosts = await store.RenewAndReadAsync(_self, opts.LeaseTtl, stoppingToken);
                var table = new PlacementTable(hosts);
                // Keep a renewal interval of margin for clock drift and the time others take to notice an expiry.
                Interlocked.Exchange(ref _leaseValidUntil, store is LocalPlacementStore
                    ? long.MaxValue // Nobody else can take this host's actors.
                    : sentAt + (long)(opts.LeaseTtl - opts.LeaseRenewInterval).TotalMilliseconds);
                if (table.Signature != _table.Signature)
                {
                    logger.LogInformation("Placement changed: {Hosts}", table.Signature);
                    Supersede(_table == PlacementTable.Empty ? new PlacementTable(hosts.Where(h => !IsSelf(h))) : _table, config);
                    _table = table;
                    if (_ready.Task.IsCompleted)
                    {
                        _changes.Writer.TryWrite(table);
                    }
                }
                // Serve only from the second renewal on: by then every other host has re-read and knows this one,
                // which narrows the window where two hosts disagree about an owner.
                if (++renewals >= 2 && _ready.TrySetResult())
                {
                    _changes.Writer.TryWrite(_table);
                }
                Interlocked.Exchange(ref _nextRenewal, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Placement lease renewal failed");
            }
            try
            {
                await _refreshRequested.WaitAsync(opts.LeaseRenewInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _changes.Writer.TryComplete();
        await handling;
    }

    // Kept for drainOngoingCallTimeout plus a lease: by then a turn that was running under the old table has ended or
    // been given up by its host (which deactivates the actor after drainOngoingCallTimeout, as daprd does).
    private void Supersede(PlacementTable old, ActorAppConfig config)
    {
        var now = Environment.TickCount64;
        var keep = (long)(config.DrainOngoingCallTimeout + options.Value.LeaseTtl).TotalMilliseconds;
        _superseded = [new SupersededTable(old, now), .. _superseded.Where(t => now - t.SupersededAt < keep)];
    }

    // Handlers (deactivating actors that moved, reloading reminders) run apart from the renewal loop, so a slow app
    // never delays the lease; when changes pile up only the newest table matters.
    private async Task HandleChangesAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _changes.Reader.WaitToReadAsync(stoppingToken))
            {
                var latest = _table;
                while (_changes.Reader.TryRead(out var table))
                {
                    latest = table;
                }
                await RaiseChangedAsync(latest);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_self is not null && options.Value.ReleaseLeaseOnStop)
        {
            try
            {
                await store.ReleaseAsync(_self, cancellationToken);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not release the placement lease; it expires by itself");
            }
        }
    }

    private async Task RaiseChangedAsync(PlacementTable table)
    {
        if (Changed is not { } handlers)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Func<PlacementTable, Task>>())
        {
            try
            {
                await handler(table);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A placement change handler failed");
            }
        }
    }

    public override void Dispose()
    {
        _refreshRequested.Dispose();
        base.Dispose();
    }
}
