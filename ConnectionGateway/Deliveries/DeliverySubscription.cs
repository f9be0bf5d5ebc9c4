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

    private static async Task<IResult> DeliverAsync(DeliveryBatch batch, ConnectionRegistry connections, ILogger<DeliveryBatch> logger, CancellationToken ct)
    {
        // Devices in parallel, each device's entries in order: a batch may carry several consecutive entries for one
        // device (receipts appended together), and the later one must not fetch the earlier from the store meanwhile.
        var deliveries = batch.Deliveries
            .GroupBy(d => new DeviceAddress(d.UserId, d.ClientId))
            .Select(device => connections.TryGet(device.Key, out var connection)
                ? DeliverInOrderAsync(connection, [.. device.OrderBy(d => d.N)], logger, ct)
                : Task.CompletedTask);
        await Task.WhenAll(deliveries);
        return Results.Ok();
    }

    private static async Task DeliverInOrderAsync(ClientConnection connection, IReadOnlyList<Delivery> deliveries, ILogger logger, CancellationToken ct)
    {
        foreach (var delivery in deliveries)
        {
            await DeliverQuietly(connection, delivery, logger, ct);
        }
    }

    private static async Task DeliverQuietly(ClientConnection connection, Delivery delivery, ILogger logger, CancellationToken ct)
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
