using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Natter.ChatService.Delivery;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;
using Natter.TestSupport;
using StackExchange.Redis;

namespace Natter.ChatService.Tests;

/// <summary>
/// The publisher over the real local sidecar, its pubsub.redis component and a real redis-server: what it publishes is
/// read back from the stream of each gateway's topic.
/// </summary>
public sealed class DeliveryPublisherTests : IAsyncLifetime
{
    private StateSidecar _sidecar = null!;
    private DaprClient _dapr = null!;
    private ConnectionMultiplexer _redis = null!;
    private PresenceRegistry _presence = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await StateSidecar.StartIfAvailableAsync("pubsub.yaml")
                   ?? throw new InvalidOperationException($"the publisher tests need a sidecar: {StateSidecar.UnavailableBecause}");
        _dapr = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint).WithNatterLimits().Build();
        _redis = await ConnectionMultiplexer.ConnectAsync(_sidecar.RedisAddress);
        _presence = new PresenceRegistry(_dapr);
    }

    public async Task DisposeAsync()
    {
        _redis.Dispose();
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
    }

    private static readonly DeliverySeals Unsealed = new(Options.Create(new DeliverySealOptions()));

    private DeliveryPublisher NewPublisher(DeliverySeals? seals = null) =>
        new(_dapr, _presence, new PushHandOff(_dapr, NullLogger<PushHandOff>.Instance), seals ?? Unsealed, _log);

    private readonly RecordingLogger _log = new();

    /// <summary>What the publisher logged: a test that expects every delivery published expects no warning either.</summary>
    private sealed class RecordingLogger : ILogger<DeliveryPublisher>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
            }
        }
    }

    private static DeviceAddress NewDevice(string user) => new($"{user}-{Guid.NewGuid():N}", "phone");

    private static InboxEntry Message(long seq) =>
        new(InboxEntryKinds.NewMessage, new MessagePayload("chat", $"m{seq}", seq, "alice", $"text {seq}", [], seq), null, seq, null);

    private static FanOutAppend Appended(params InboxSlot[] slots) => Sized(300, slots);

    /// <summary>A commit whose one entry is stored in the given number of bytes.</summary>
    private static FanOutAppend Sized(int entryBytes, params InboxSlot[] slots) =>
        new(slots, DeliveryPublisher.NoPush, [.. slots.Select(s => s.Device)], [entryBytes], new Dictionary<DeviceAddress, Presence>());

    private async Task<string> OnlineAsync(params DeviceAddress[] devices)
    {
        var gateway = $"gw-{Guid.NewGuid():N}";
        foreach (var device in devices)
        {
            await _presence.ClaimAsync(device, new Presence(gateway, "connection"), TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        return gateway;
    }

    /// <summary>Each event on the gateway's topic, as (user, n, seq) per delivery.</summary>
    private async Task<List<List<(string User, long N, long Seq)>>> EventsAsync(string gateway) =>
        [.. (await BatchesAsync(gateway)).Select(batch => batch.Deliveries.Select(d => (d.UserId, d.N, d.Entry.Message!.Seq)).ToList())];

    /// <summary>Each event on the gateway's topic, as the gateway reads it.</summary>
    private async Task<List<DeliveryBatch>> BatchesAsync(string gateway)
    {
        var batches = new List<DeliveryBatch>();
        foreach (var entry in await _redis.GetDatabase().StreamRangeAsync(DeliveryTopics.ForInstance(gateway)))
        {
            using var envelope = JsonDocument.Parse((string)entry["data"]!);
            batches.Add(envelope.RootElement.GetProperty("data").Deserialize<DeliveryBatch>(NatterJson.Options)!);
        }
        return batches;
    }

    [Fact]
    public async Task Commits_queued_before_a_round_share_one_event_per_gateway_in_queue_order()
    {
        DeviceAddress bob = NewDevice("bob"), carol = NewDevice("carol"), dave = NewDevice("dave");
        var gatewayA = await OnlineAsync(bob, carol);
        var gatewayB = await OnlineAsync(dave);
        var publisher = NewPublisher();
        publisher.Enqueue(Appended(new InboxSlot(bob, 4), new InboxSlot(dave, 9)), Message(1));
        publisher.Enqueue(Appended(new InboxSlot(carol, 0)), Message(2));
        publisher.Enqueue(Appended(new InboxSlot(bob, 5)), Message(3));

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None); // stopped means published: see the next test

        var onA = Assert.Single(await EventsAsync(gatewayA));
        Assert.Equal([(bob.UserId, 4L, 1L), (carol.UserId, 0L, 2L), (bob.UserId, 5L, 3L)], onA);
        Assert.Equal([(dave.UserId, 9L, 1L)], Assert.Single(await EventsAsync(gatewayB)));
    }

    [Fact]
    public async Task A_graceful_stop_publishes_what_is_still_queued()
    {
        var bob = NewDevice("bob");
        var gateway = await OnlineAsync(bob);
        var publisher = NewPublisher();
        await publisher.StartAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            publisher.Enqueue(Appended(new InboxSlot(bob, i)), Message(i));
        }

        await publisher.StopAsync(CancellationToken.None);

        // Stopped means published: no wait here, the stream already holds every delivery, once. (Two rounds run at once,
        // so events may land out of order; the gateway reads what it has not seen below a delivery from the store.)
        Assert.Empty(_log.Lines);
        var published = (await EventsAsync(gateway)).SelectMany(e => e).Select(d => d.N).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), published.Order());
        Assert.Equal(50, published.Distinct().Count());
    }

    [Fact]
    public async Task A_commit_beyond_the_queue_bound_is_skipped_with_one_warning_per_stretch_and_the_next_that_fits_is_published()
    {
        var bob = NewDevice("bob");
        var gateway = await OnlineAsync(bob);
        var publisher = NewPublisher();
        const int overTheBound = (64 * 1024 * 1024) + 1; // the queue's bound in stored entry bytes, plus one
        int Warnings() => _log.Lines.Count(l => l.StartsWith("Warning: The delivery queue is full", StringComparison.Ordinal));

        publisher.Enqueue(Sized(overTheBound, new InboxSlot(bob, 0)), Message(1));
        publisher.Enqueue(Sized(overTheBound, new InboxSlot(bob, 1)), Message(2));
        Assert.Equal(1, Warnings()); // once per stretch of skipping, not per commit
        // The skipped commits' bytes were given back, so one that fits is queued, and it ends the stretch.
        publisher.Enqueue(Appended(new InboxSlot(bob, 2)), Message(3));
        publisher.Enqueue(Sized(overTheBound, new InboxSlot(bob, 3)), Message(4));
        Assert.Equal(2, Warnings());

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None);

        // The skipped ones wait in their inboxes for the gateway's own look; only the one that fit was published.
        Assert.Equal([(bob.UserId, 2L, 3L)], Assert.Single(await EventsAsync(gateway)));
    }

    [Fact]
    public async Task A_device_without_a_socket_gets_no_event()
    {
        DeviceAddress bob = NewDevice("bob"), offline = NewDevice("offline");
        var gateway = await OnlineAsync(bob);
        var publisher = NewPublisher();
        publisher.Enqueue(Appended(new InboxSlot(offline, 0), new InboxSlot(bob, 0)), Message(1));

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None);

        Assert.Equal([(bob.UserId, 0L, 1L)], Assert.Single(await EventsAsync(gateway)));
    }

    [Fact]
    public async Task A_socket_the_commits_read_found_is_routed_to_without_another_read_and_one_it_missed_is_looked_up()
    {
        // Bob's lease is gone from the store by the time the round runs, but the commit's own read found his socket on
        // gateway A: the event goes there. Carol's socket on gateway B was not in that read (she connected just after
        // it), so the round looks her up and finds it.
        DeviceAddress bob = NewDevice("bob"), carol = NewDevice("carol");
        var gatewayA = $"gw-{Guid.NewGuid():N}";
        var gatewayB = await OnlineAsync(carol);
        var publisher = NewPublisher();
        publisher.Enqueue(new FanOutAppend([new InboxSlot(bob, 3), new InboxSlot(carol, 5)], DeliveryPublisher.NoPush, [bob, carol], [300],
            new Dictionary<DeviceAddress, Presence> { [bob] = new Presence(gatewayA, "connection") }), Message(1));

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None);

        Assert.Equal([(bob.UserId, 3L, 1L)], Assert.Single(await EventsAsync(gatewayA)));
        Assert.Equal([(carol.UserId, 5L, 1L)], Assert.Single(await EventsAsync(gatewayB)));
    }

    [Fact]
    public async Task With_the_seal_key_each_delivery_arrives_sealed_for_its_device_after_the_trip_through_the_sidecar()
    {
        DeviceAddress bob = NewDevice("bob"), carol = NewDevice("carol");
        var gateway = await OnlineAsync(bob, carol);
        var seals = new DeliverySeals(Options.Create(new DeliverySealOptions { SealKey = $"test-only-{Guid.NewGuid():N}" }));
        var publisher = NewPublisher(seals);
        publisher.Enqueue(Appended(new InboxSlot(bob, 7), new InboxSlot(carol, 2)), Message(1));

        await publisher.StartAsync(CancellationToken.None);
        await publisher.StopAsync(CancellationToken.None);

        var deliveries = Assert.Single(await BatchesAsync(gateway)).Deliveries;
        Assert.Equal([bob.UserId, carol.UserId], deliveries.Select(d => d.UserId));
        Assert.All(deliveries, d => Assert.True(seals.IsSealed(d)));
        Assert.False(Unsealed.IsSealed(deliveries[0]));
    }
}
