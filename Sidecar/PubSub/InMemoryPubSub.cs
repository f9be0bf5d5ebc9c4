using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// pubsub.in-memory: the same delivery semantics as pubsub.redis (retry until SUCCESS or DROP, bounded
/// concurrency) within this process. Like Dapr's, events published to a topic nobody subscribes to are lost.
/// </summary>
public sealed class InMemoryPubSub(string name, ILogger<InMemoryPubSub> logger) : IPubSub
{
    private const int Concurrency = 10;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Channel<byte[]>> _topics = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> envelope, CancellationToken ct)
    {
        if (_topics.TryGetValue(topic, out var channel))
        {
            channel.Writer.TryWrite(envelope.ToArray());
        }
        return Task.CompletedTask;
    }

    public async Task PublishBulkAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> envelopes, CancellationToken ct)
    {
        foreach (var envelope in envelopes)
        {
            await PublishAsync(topic, envelope, ct);
        }
    }

    public Task RunAsync(IReadOnlyList<TopicHandler> handlers, CancellationToken stoppingToken) =>
        Task.WhenAll(handlers.SelectMany(handler =>
        {
            var channel = _topics.GetOrAdd(handler.Topic, _ => Channel.CreateUnbounded<byte[]>());
            return Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => DeliverLoopAsync(handler, channel, stoppingToken), stoppingToken));
        }));

    private async Task DeliverLoopAsync(TopicHandler handler, Channel<byte[]> channel, CancellationToken ct)
    {
        try
        {
            await foreach (var envelope in channel.Reader.ReadAllAsync(ct))
            {
                DeliveryOutcome outcome;
                try
                {
                    outcome = await handler.Deliver(envelope, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "pubsub {Name}: delivery on {Topic} failed", Name, handler.Topic);
                    outcome = DeliveryOutcome.Retry;
                }
                if (outcome == DeliveryOutcome.Retry)
                {
                    _ = RequeueLaterAsync(channel, envelope, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task RequeueLaterAsync(Channel<byte[]> channel, byte[] envelope, CancellationToken ct)
    {
        try
        {
            await Task.Delay(RetryDelay, ct);
            channel.Writer.TryWrite(envelope);
        }
        catch (OperationCanceledException)
        {
            // Stopping: in-memory events do not outlive the process.
        }
    }
}
