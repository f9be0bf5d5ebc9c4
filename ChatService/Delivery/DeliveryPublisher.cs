using System.Threading.Channels;
using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>
/// After the inbox write, tells each gateway instance that holds a recipient's socket. Commits are queued and published
/// by one loop in rounds: everything queued while a round is in flight goes in the next one, with one presence read
/// and one event per gateway instance for all of it. An idle publisher starts a round at once, so a lone message waits
/// for nothing; under load, many actor turns share each sidecar call instead of making three of their own.
/// Best effort by design: a lost event only delays delivery until the gateway's next inbox check or the reconnect
/// drain, which is also what a process that dies with commits still queued costs.
/// </summary>
public sealed class DeliveryPublisher(DaprClient dapr, PresenceRegistry presence, PushHandOff push, ILogger<DeliveryPublisher> logger)
    : BackgroundService
{
    /// <summary>For items that notify nobody's phone (receipts).</summary>
    public static readonly IReadOnlyDictionary<DeviceAddress, string> NoPush = new Dictionary<DeviceAddress, string>();

    // A round that hangs on the sidecar is given up after this long; its entries wait in the inboxes meanwhile.
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(10);

    // Commits, not deliveries. Full means the sidecar has been failing or hanging for a while: further commits skip the
    // live path, counted, rather than let memory grow without bound.
    private const int QueueCapacity = 10_000;

    private readonly Channel<PendingDelivery> _queue = Channel.CreateBounded<PendingDelivery>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <param name="pushTokens">The recipients' push tokens (from the fan-out's registry read): devices without a socket get a push.</param>
    public void Enqueue(IReadOnlyList<InboxSlot> slots, InboxEntry entry, IReadOnlyDictionary<DeviceAddress, string> pushTokens) =>
        Enqueue(slots, [entry], pushTokens);

    /// <summary>
    /// For entries appended together (<see cref="MemberFanOut"/>): entry i of a device sits at its slot's N + i. A device
    /// without a socket gets one push for the batch, for its last entry. Returns at once; the caller's commit is durable.
    /// </summary>
    public void Enqueue(IReadOnlyList<InboxSlot> slots, IReadOnlyList<InboxEntry> entries, IReadOnlyDictionary<DeviceAddress, string> pushTokens)
    {
        if (slots.Count == 0 || entries.Count == 0)
        {
            return;
        }
        if (!_queue.Writer.TryWrite(new PendingDelivery(slots, entries, pushTokens)))
        {
            ChatTelemetry.DeliveriesSkipped.Add(slots.Count * entries.Count);
            logger.LogWarning("The delivery queue is full; {Count} deliveries wait in their inboxes instead", slots.Count * entries.Count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var round = new List<PendingDelivery>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Take(round);
                await PublishRoundAsync(round, stoppingToken);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is still queued is in the inboxes, and the gateways drain it from there.
        }
    }

    /// <summary>Everything queued now, up to the round's limit, in queue order.</summary>
    private void Take(List<PendingDelivery> round)
    {
        round.Clear();
        var taken = 0;
        while (_queue.Reader.TryPeek(out var next) && DeliveryRound.Takes(taken, next) && _queue.Reader.TryRead(out next))
        {
            round.Add(next);
            taken += next.Count;
        }
    }

    private async Task PublishRoundAsync(IReadOnlyList<PendingDelivery> round, CancellationToken stoppingToken)
    {
        using var activity = ChatTelemetry.Source.StartActivity("delivery.publish");
        activity?.SetTag("natter.delivery.commits", round.Count);
        ChatTelemetry.DeliveryRoundCommits.Record(round.Count);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(RoundTimeout);
        try
        {
            var located = await presence.LocateAsync(DeliveryRound.Devices(round), timeout.Token);
            var events = DeliveryRound.Events(round, located);
            await Task.WhenAll(events
                .Select(e => dapr.PublishEventAsync(DeliveryTopics.PubSubName, DeliveryTopics.ForInstance(e.Instance), e.Batch, timeout.Token))
                .Concat(round.Select(p => push.PublishAsync(DeliveryRound.Offline(p, located), p.PushTokens, p.Entries[^1], timeout.Token))));
            activity?.SetTag("natter.delivery.instances", events.Count);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The entries are durable already; the gateways find them on their next inbox check or reconnect.
            logger.LogWarning(e, "Publishing deliveries for {Commits} commits failed; recipients will get them from their inbox", round.Count);
        }
    }
}
