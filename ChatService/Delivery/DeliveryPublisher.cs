using System.Diagnostics;
using System.Threading.Channels;
using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>
/// After the inbox write, tells each gateway instance that holds a recipient's socket. Commits are queued and published
/// in rounds: everything queued while the rounds in flight run goes in the next one, with one event per gateway
/// instance for all of it. Where a socket is comes from the commit's own read (<see cref="FanOutAppend.Sockets"/>);
/// one presence read per round looks up the devices that read found without one. An idle publisher starts a round at
/// once, so a lone message waits for nothing; under load, many actor turns share each sidecar call instead of making
/// their own.
/// Best effort by design: a lost event only delays delivery until the gateway's next inbox check or the reconnect
/// drain, which is also what a process that dies with commits still queued costs. A graceful stop publishes what is
/// queued first.
/// </summary>
public sealed class DeliveryPublisher(
    DaprClient dapr, PresenceRegistry presence, PushHandOff push, DeliverySeals seals, ILogger<DeliveryPublisher> logger)
    : IHostedService
{
    /// <summary>For items that notify nobody's phone (receipts).</summary>
    public static readonly IReadOnlyDictionary<DeviceAddress, string> NoPush = new Dictionary<DeviceAddress, string>();

    private static readonly IReadOnlyDictionary<DeviceAddress, Presence> NoSockets = new Dictionary<DeviceAddress, Presence>();

    // A round that hangs on the sidecar is given up after this long; its entries wait in the inboxes meanwhile.
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(5);

    // Two rounds at once: one slow publish does not hold every delivery of the instance, and order does not suffer (a
    // gateway reads any entry it has not seen below a delivered one from the store first).
    private const int RoundsInFlight = 2;

    // Full means the sidecar has been failing or hanging for a while: further commits skip the live path, counted,
    // rather than let memory grow. Bounded in commits and in their entries' stored bytes (held once per commit, however
    // many devices it goes to).
    private const int QueueCapacity = 10_000;
    private const long MaxQueuedEntryBytes = 64 * 1024 * 1024;

    // Links from a round's span to the sends it carries, up to this many.
    private const int MaxTraceLinks = 32;

    private readonly Channel<PendingDelivery> _queue = Channel.CreateBounded<PendingDelivery>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _queuedEntryBytes;
    private int _skipping;
    private Task _loop = Task.CompletedTask;

    /// <summary>A fan-out of one entry: its devices without a socket get a push when they have a token.</summary>
    public void Enqueue(FanOutAppend appended, InboxEntry entry) => Enqueue(appended, [entry], appended.PushTokens);

    /// <summary>
    /// For entries appended together (<see cref="MemberFanOut"/>): entry i of a device sits at its slot's N + i. A device
    /// without a socket gets one push for the batch, for its last entry. Returns at once; the caller's commit is durable.
    /// </summary>
    public void Enqueue(FanOutAppend appended, IReadOnlyList<InboxEntry> entries, IReadOnlyDictionary<DeviceAddress, string> pushTokens)
    {
        if (appended.Slots.Count == 0 || entries.Count == 0)
        {
            return;
        }
        var pending = new PendingDelivery(appended.Slots, entries, appended.EntryBytes, pushTokens, appended.Sockets);
        if (Interlocked.Add(ref _queuedEntryBytes, pending.StoredBytes) <= MaxQueuedEntryBytes && _queue.Writer.TryWrite(pending))
        {
            if (Volatile.Read(ref _skipping) != 0)
            {
                Volatile.Write(ref _skipping, 0);
            }
            return;
        }
        Interlocked.Add(ref _queuedEntryBytes, -pending.StoredBytes);
        ChatTelemetry.DeliveriesSkipped.Add(pending.Count);
        // Once per stretch of skipping, not once per commit: a stuck sidecar would otherwise flood the log.
        if (Interlocked.Exchange(ref _skipping, 1) == 0)
        {
            logger.LogWarning("The delivery queue is full or closed; deliveries wait in their inboxes until the gateways look (natter.chat.deliveries.skipped counts them)");
        }
    }

    // Not a BackgroundService: its loop would never start if the host stopped before the loop was scheduled, and what
    // was queued would be lost. This loop starts at once and ends only when StopAsync has closed the queue and it is
    // empty: what was queued before a graceful stop is still published. Each round has its own deadline.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _loop.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        using var slots = new SemaphoreSlim(RoundsInFlight);
        var inFlight = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await slots.WaitAsync(CancellationToken.None);
            var round = Take();
            inFlight.RemoveAll(t => t.IsCompleted);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    await PublishRoundAsync(round);
                }
                finally
                {
                    slots.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(inFlight);
    }

    /// <summary>Everything queued now, up to the round's limits, in queue order.</summary>
    private List<PendingDelivery> Take()
    {
        var round = new List<PendingDelivery>();
        var (count, bytes) = (0, 0L);
        while (_queue.Reader.TryPeek(out var next) && DeliveryRound.Takes(count, bytes, next) && _queue.Reader.TryRead(out next))
        {
            round.Add(next);
            (count, bytes) = (count + next.Count, bytes + next.Bytes);
            Interlocked.Add(ref _queuedEntryBytes, -next.StoredBytes);
        }
        return round;
    }

    private async Task PublishRoundAsync(IReadOnlyList<PendingDelivery> round)
    {
        using var activity = ChatTelemetry.Source.StartActivity("delivery.publish", ActivityKind.Producer, parentContext: default, links: Links(round));
        activity?.SetTag("natter.delivery.commits", round.Count);
        ChatTelemetry.DeliveryRoundCommits.Record(round.Count);
        using var timeout = new CancellationTokenSource(RoundTimeout);
        try
        {
            // Routing by the commit's read, made just before it: a device that moved to another gateway in between
            // misses this event and gets the entry from that gateway's inbox check instead. A device that read found
            // with no socket is looked up after its commit, so a device that just connected is not left to wait.
            var unlocated = DeliveryRound.Unlocated(round);
            var located = DeliveryRound.Located(round, unlocated.Count == 0 ? NoSockets : await presence.LocateAsync(unlocated, timeout.Token));
            var events = DeliveryRound.Events(round, located, seals);
            await Task.WhenAll(events
                .Select(e => dapr.PublishEventAsync(DeliveryTopics.PubSubName, DeliveryTopics.ForInstance(e.Instance), e.Batch, timeout.Token))
                .Concat(round.Select(p => push.PublishAsync(DeliveryRound.Offline(p, located), p.PushTokens, p.Entries[^1], timeout.Token))));
            activity?.SetTag("natter.delivery.events", events.Count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The entries are durable already; the gateways find them on their next inbox check or reconnect.
            logger.LogWarning(e, "Publishing deliveries for {Commits} commits failed; recipients will get them from their inbox", round.Count);
        }
    }

    private static IEnumerable<ActivityLink> Links(IReadOnlyList<PendingDelivery> round) =>
        round.Take(MaxTraceLinks)
            .Select(p => ActivityContext.TryParse(p.Entries[^1].TraceParent, null, out var context) ? context : default)
            .Where(context => context != default)
            .Select(context => new ActivityLink(context));
}
