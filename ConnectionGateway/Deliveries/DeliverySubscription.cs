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
        var deliveries = batch.Deliveries
            .Select(d => connections.TryGet(new DeviceAddress(d.UserId, d.ClientId), out var connection)
                ? DeliverQuietly(connection, d, logger, ct)
                : Task.CompletedTask);
        await Task.WhenAll(deliveries);
        return Results.Ok();
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
