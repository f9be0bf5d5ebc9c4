using Dapr;
using Microsoft.Extensions.Options;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Deliveries;

public static class DeliverySubscription
{
    /// <summary>
    /// This instance's topic deliveries-{InstanceId}: each event lists inbox entries for sockets held here. Always
    /// answered SUCCESS: a retry would add nothing the inbox does not already guarantee.
    /// </summary>
    public static WebApplication MapDeliveries(this WebApplication app)
    {
        var instanceId = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.InstanceId;
        app.UseCloudEvents();
        // Only the sidecar may list subscriptions or deliver: a client posting here could forge any device's items.
        app.MapSubscribeHandler().RequireSidecar();
        app.MapPost("/deliveries", DeliverAsync)
            .WithTopic(DeliveryTopics.PubSubName, DeliveryTopics.ForInstance(instanceId))
            .RequireSidecar();
        return app;
    }

    private static async Task<IResult> DeliverAsync(
        DeliveryBatch batch, ConnectionRegistry connections, DeviceInbox inbox, DeliverySeals seals, ILogger<DeliveryBatch> logger,
        CancellationToken ct)
    {
        // Devices in parallel, each device's entries in order: a batch may carry several consecutive entries for one
        // device (receipts appended together), and the later one must not fetch the earlier from the store meanwhile.
        var byDevice = batch.Deliveries
            .GroupBy(d => new DeviceAddress(d.UserId, d.ClientId))
            .Select(device => (Connection: connections.TryGet(device.Key, out var connection) ? connection : null, Deliveries: device))
            .Where(device => device.Connection is not null)
            .Select(device => (Connection: device.Connection!, Deliveries: Trusted(device.Deliveries, seals)))
            .ToList();
        GatewayTelemetry.UnsealedDeliveries.Add(byDevice.Sum(d => d.Deliveries.Count(t => !t.Sealed)));
        // A sealed delivery is the chat service's word that its entry is committed: the head is past it, no read needed.
        foreach (var (connection, deliveries) in byDevice)
        {
            if (deliveries.LastOrDefault(d => d.Sealed) is { } last)
            {
                connection.ObserveHead(last.N + 1);
            }
        }
        await ReadHeadsAsync([.. byDevice.Where(d => d.Connection.IsAtOrAboveKnownHead(d.Deliveries[^1].N)).Select(d => d.Connection)], inbox, logger, ct);
        await Task.WhenAll(byDevice.Select(device => DeliverInOrderAsync(device.Connection, device.Deliveries, logger, ct)));
        return Results.Ok();
    }

    /// <summary>
    /// A device's deliveries in order, each with whether its seal holds. An unsealed delivery (no key here, or not from
    /// a chat service that has it) is only a hint: its entry is read from the inbox, never taken from the event.
    /// </summary>
    private static List<TrustedDelivery> Trusted(IEnumerable<Delivery> deliveries, DeliverySeals seals) =>
        [.. deliveries.OrderBy(d => d.N).Select(d => seals.IsSealed(d)
            ? new TrustedDelivery(d.N, d.Entry, Sealed: true)
            : new TrustedDelivery(d.N, Entry: null, Sealed: false))];

    /// <summary>Entry N as a gateway may use it: Entry null means read it from the inbox.</summary>
    private sealed record TrustedDelivery(long N, InboxEntry? Entry, bool Sealed);

    /// <summary>
    /// A delivery is trusted only below its device's inbox head as read from the store, and a real one is at the new
    /// head: the heads of every device in the event are read in one bulk read, not one read each. If it fails, each
    /// delivery reads its own head.
    /// </summary>
    private static async Task ReadHeadsAsync(IReadOnlyList<ClientConnection> unsure, DeviceInbox inbox, ILogger logger, CancellationToken ct)
    {
        if (unsure.Count == 0)
        {
            return;
        }
        try
        {
            var heads = await inbox.HeadsAsync([.. unsure.Select(c => c.Device).Distinct()], ct);
            foreach (var connection in unsure)
            {
                connection.ObserveHead(heads[connection.Device]);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException && !ct.IsCancellationRequested)
        {
            logger.LogDebug(e, "Reading {Count} inbox heads for a delivery failed; each delivery reads its own", unsure.Count);
        }
    }

    private static async Task DeliverInOrderAsync(ClientConnection connection, IReadOnlyList<TrustedDelivery> deliveries, ILogger logger, CancellationToken ct)
    {
        foreach (var delivery in deliveries)
        {
            await DeliverQuietly(connection, delivery, logger, ct);
        }
    }

    private static async Task DeliverQuietly(ClientConnection connection, TrustedDelivery delivery, ILogger logger, CancellationToken ct)
    {
        try
        {
            await connection.DeliverAsync(delivery.N, delivery.Entry, ct);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The socket is closing or the store hiccuped: the entry stays in the inbox for upkeep or reconnect.
            logger.LogDebug(e, "Live delivery {N} to {Device} skipped", delivery.N, connection.Device);
        }
    }
}
