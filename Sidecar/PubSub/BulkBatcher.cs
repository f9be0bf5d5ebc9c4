using System.Threading.Channels;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// A bulk subscription's batching, as daprd's default bulk subscriber (pkg/runtime/pubsub/default_bulksub.go) for
/// components without native bulk subscribe, which pubsub.redis and pubsub.in-memory are: each event the component
/// hands over waits here; a batch goes to the app when it holds maxMessagesCount events or maxAwaitDurationMs after
/// its first one, and each event's own outcome goes back to the component, which acknowledges or redelivers it.
/// So a batch holds at most as many events as the component delivers at once (its concurrency, default 10).
/// </summary>
public sealed class BulkBatcher
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Subscription _subscription;
    private readonly BulkSubscribeOptions _options;
    private readonly BulkAppDelivery _delivery;
    private readonly ILogger _logger;

    public BulkBatcher(Subscription subscription, BulkAppDelivery delivery, ILogger logger, CancellationToken stoppingToken)
    {
        _subscription = subscription;
        _options = subscription.Bulk ?? throw new ArgumentException("not a bulk subscription", nameof(subscription));
        _delivery = delivery;
        _logger = logger;
        _ = Task.Run(() => RunAsync(stoppingToken), stoppingToken);
    }

    /// <summary>The component's delivery handler: completes when the batch holding this event has been answered.</summary>
    public async Task<DeliveryOutcome> DeliverAsync(ReadOnlyMemory<byte> stored, CancellationToken ct)
    {
        var pending = new Pending(stored, new TaskCompletionSource<DeliveryOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        return await pending.Outcome.Task.WaitAsync(ct);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<Pending>(_options.MaxMessagesCount);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                await CollectAsync(batch, ct);
                await FlushAsync(batch, ct);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: unanswered events stay unacknowledged, so the component redelivers them.
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetCanceled(ct);
            }
        }
    }

    /// <summary>Fills the batch until maxMessagesCount, or until maxAwaitDurationMs has passed since its first event.</summary>
    private async Task CollectAsync(List<Pending> batch, CancellationToken ct)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
        window.CancelAfter(_options.MaxAwaitDurationMs);
        while (batch.Count < _options.MaxMessagesCount)
        {
            if (_queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }
            try
            {
                await _queue.Reader.WaitToReadAsync(window.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return; // the await window closed
            }
        }
    }

    private async Task FlushAsync(List<Pending> batch, CancellationToken ct)
    {
        DeliveryOutcome[] outcomes;
        try
        {
            outcomes = await _delivery.DeliverAsync(_subscription, batch.Select(p => p.Stored).ToArray(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "pubsub {PubSub}: bulk delivery on {Topic} failed: will redeliver", _subscription.PubSubName, _subscription.Topic);
            outcomes = [.. batch.Select(_ => DeliveryOutcome.Retry)];
        }
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Outcome.TrySetResult(outcomes[i]);
        }
    }

    private sealed record Pending(ReadOnlyMemory<byte> Stored, TaskCompletionSource<DeliveryOutcome> Outcome);
}
