namespace Natter.Sidecar.PubSub;

/// <summary>A pub/sub component (pubsub.redis, pubsub.in-memory): moves CloudEvent envelopes, delivers at least once.</summary>
public interface IPubSub
{
    string Name { get; }

    Task PublishAsync(string topic, ReadOnlyMemory<byte> envelope, CancellationToken ct);

    Task PublishBulkAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> envelopes, CancellationToken ct);

    /// <summary>Delivers each topic's events to its handler until stopped; Retry outcomes are redelivered later.</summary>
    Task RunAsync(IReadOnlyList<TopicHandler> handlers, CancellationToken stoppingToken);
}

public delegate Task<DeliveryOutcome> DeliveryHandler(ReadOnlyMemory<byte> envelope, CancellationToken ct);

public sealed record TopicHandler(string Topic, DeliveryHandler Deliver);

/// <summary>daprd's three answers to a delivery: acknowledge, redeliver later, or acknowledge and drop.</summary>
public enum DeliveryOutcome
{
    Success,
    Retry,
    Drop,
}
