using Microsoft.Extensions.Options;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// Upkeep of every socket this instance holds, every PresenceRenewal, in batches: one state transaction renews a batch's
/// presence leases, and two bulk reads tell which of its devices are still registered and where their inbox heads are.
/// Each connection then does its own part (<see cref="ClientConnection.UpkeepAsync"/>), which touches the store only
/// when there is something to do. Per-socket timers and reads would cost three store calls per socket per tick: an
/// idle gateway with 50,000 sockets would spend its cores on 15,000 calls a second.
/// </summary>
public sealed class ConnectionUpkeep(
    ConnectionRegistry connections, PresenceRegistry presence, DeviceRegistryStore devices, DeviceInbox inbox,
    IOptions<GatewayOptions> options, TimeProvider time, ILogger<ConnectionUpkeep> logger) : BackgroundService
{
    // Connections of one batch do their own part concurrently, bounded so a tick cannot flood the sidecar.
    private const int Parallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PresenceRenewal, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var batch in connections.Snapshot().Chunk(options.Value.UpkeepBatchSize))
            {
                await UpkeepAsync(batch, stoppingToken);
            }
        }
    }

    private async Task UpkeepAsync(ClientConnection[] batch, CancellationToken ct)
    {
        var addresses = batch.Select(c => c.Device).ToList();
        IReadOnlySet<DeviceAddress> active;
        IReadOnlyDictionary<DeviceAddress, long> heads;
        try
        {
            var renewing = presence.ClaimManyAsync([.. batch.Select(c => (c.Device, c.Lease))], options.Value.PresenceTtl, ct);
            var reading = devices.ActiveAmongAsync(addresses, ct);
            var readingHeads = inbox.HeadsAsync(addresses, ct);
            await Task.WhenAll(renewing, reading, readingHeads);
            (active, heads) = (reading.Result, readingHeads.Result);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The leases outlive two missed renewals (PresenceTtl is three times PresenceRenewal): next tick tries again.
            logger.LogWarning(e, "Upkeep of {Count} sockets failed; retrying next tick", batch.Length);
            return;
        }
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (connection, _) => await connection.UpkeepAsync(active.Contains(connection.Device), heads[connection.Device]));
    }
}
