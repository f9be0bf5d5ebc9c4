using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Natter.ConnectionGateway;

/// <summary>Traces and metrics of the gateway ("Natter.Gateway"; ServiceDefaults exports Natter.*).</summary>
public static class GatewayTelemetry
{
    public const string Name = "Natter.Gateway";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly UpDownCounter<long> OpenConnections =
        Meter.CreateUpDownCounter<long>("natter.gateway.connections.open", description: "Open client WebSockets");

    public static readonly Counter<long> MessagesDelivered =
        Meter.CreateCounter<long>("natter.gateway.messages.delivered", description: "Inbox items pushed to a socket (first push)");

    public static readonly Counter<long> ItemsAcknowledged =
        Meter.CreateCounter<long>("natter.gateway.items.acknowledged", description: "RECEIVED acks that deleted an inbox entry");

    public static readonly Histogram<double> DeliveryLatency =
        Meter.CreateHistogram<double>("natter.gateway.delivery.latency", "ms", "Server timestamp of a message to its frame being sent");

    // Nonzero with Deliveries:SealKey set means events not sealed by a chat service reached the delivery route (a key
    // mismatch while keys rotate, or a forgery); each cost an inbox read.
    public static readonly Counter<long> UnsealedDeliveries =
        Meter.CreateCounter<long>("natter.gateway.deliveries.unsealed", description: "Pub/sub deliveries without a valid seal, read from the inbox instead");

    public static readonly Histogram<long> InboxDepth =
        Meter.CreateHistogram<long>("natter.gateway.inbox.depth", description: "Pending entries found when a client connects");
}
