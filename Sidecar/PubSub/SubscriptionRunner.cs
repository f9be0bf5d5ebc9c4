using Natter.Sidecar.AppChannel;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// Waits for the app's port, reads its subscriptions once (as daprd does) and runs delivery for each pub/sub
/// component until the sidecar stops.
/// </summary>
public sealed class SubscriptionRunner(
    AppReadiness readiness,
    SubscriptionLoader loader,
    SubscriptionRegistry subscriptions,
    PubSubRegistry pubSubs,
    AppDelivery delivery,
    BulkAppDelivery bulkDelivery,
    Hosting.SidecarOptions options,
    ILogger<SubscriptionRunner> logger) : BackgroundService
{
    private static readonly int LoadAttempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AppPort is null || !pubSubs.All.Any())
        {
            return;
        }
        await readiness.WhenReady.WaitAsync(stoppingToken);
        var loaded = await LoadAsync(stoppingToken);
        subscriptions.Set(loaded);

        var runs = new List<Task>();
        foreach (var group in loaded.GroupBy(s => s.PubSubName))
        {
            if (!pubSubs.TryGet(group.Key, out var pubSub))
            {
                logger.LogWarning("Subscriptions to topics {Topics} name pubsub {PubSub}, which is not loaded; ignored",
                    string.Join(", ", group.Select(s => s.Topic)), group.Key);
                continue;
            }
            var handlers = group.Select(s => new TopicHandler(s.Topic, HandlerFor(s, stoppingToken))).ToList();
            foreach (var s in group)
            {
                logger.LogInformation("Subscribed: {PubSub}/{Topic} -> {Route}{Mode}", s.PubSubName, s.Topic, s.Route,
                    (s.Bulk is { } bulk ? $" (bulk: {bulk.MaxMessagesCount} events or {bulk.MaxAwaitDurationMs} ms)" : "") + (s.RawPayload ? " (rawPayload)" : ""));
            }
            runs.Add(pubSub.RunAsync(handlers, stoppingToken));
        }
        try
        {
            await Task.WhenAll(runs);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private DeliveryHandler HandlerFor(Subscription subscription, CancellationToken stoppingToken)
    {
        if (subscription.Bulk is null)
        {
            return (stored, ct) => delivery.DeliverAsync(subscription, stored, ct);
        }
        var batcher = new BulkBatcher(subscription, bulkDelivery, logger, stoppingToken);
        return batcher.DeliverAsync;
    }

    private async Task<IReadOnlyList<Subscription>> LoadAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await loader.LoadAsync(ct);
            }
            catch (HttpRequestException e) when (attempt < LoadAttempts)
            {
                // The port is open but the app may still be wiring its endpoints.
                logger.LogWarning("Reading /dapr/subscribe failed ({Error}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
            catch (HttpRequestException e)
            {
                logger.LogError("Reading /dapr/subscribe failed ({Error}); no subscriptions", e.Message);
                return [];
            }
        }
    }
}
