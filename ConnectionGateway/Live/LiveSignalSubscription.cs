using System.Text.Json;
using Dapr;
using Microsoft.Extensions.Options;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

public static class LiveSignalSubscription
{
    /// <summary>
    /// This instance's topic signals-{InstanceId}: live-only frames for sockets held here. Always answered SUCCESS:
    /// a retried signal would arrive late, and a late one is worse than none.
    /// </summary>
    public static WebApplication MapLiveSignals(this WebApplication app)
    {
        var instanceId = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.InstanceId;
        // Only the sidecar may deliver: a client posting here could push any frame to anyone's socket.
        app.MapPost("/live-signals", Push)
            .WithTopic(DeliveryTopics.PubSubName, LiveSignalTopics.ForInstance(instanceId))
            .RequireSidecar();
        return app;
    }

    private static IResult Push(LiveSignal signal, ConnectionRegistry connections, TimeProvider time)
    {
        if (signal.ExpiresAt <= time.GetUtcNow().ToUnixTimeMilliseconds() || signal.Typing is not { } typing)
        {
            return Results.Ok();
        }
        var frame = JsonSerializer.SerializeToUtf8Bytes(typing, NatterJson.Options);
        foreach (var target in signal.Devices)
        {
            if (connections.TryGet(new DeviceAddress(target.UserId, target.ClientId), out var connection))
            {
                connection.PushLive(frame);
            }
        }
        return Results.Ok();
    }
}
