using Microsoft.Extensions.Options;
using Natter.ChatService.Delivery;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Tests;

public sealed class DeliveryRoundTests
{
    private static readonly DeviceAddress AlicePhone = new("alice", "phone");
    private static readonly DeviceAddress BobPhone = new("bob", "phone");
    private static readonly DeviceAddress BobLaptop = new("bob", "laptop");
    private static readonly DeviceAddress CarolPhone = new("carol", "phone");

    private static InboxEntry Message(string chat, long seq) =>
        new(InboxEntryKinds.NewMessage, new MessagePayload(chat, $"m{seq}", seq, "alice", "hi", [], 1000 + seq), null, 1000 + seq, null);

    private static readonly Dictionary<DeviceAddress, Presence> NotRead = [];

    private static PendingDelivery Pending(IReadOnlyList<InboxSlot> slots, params InboxEntry[] entries) =>
        new(slots, entries, [.. entries.Select(_ => 200)], DeliveryPublisher.NoPush, NotRead);

    private static PendingDelivery Seeing(Dictionary<DeviceAddress, Presence> sockets, params InboxSlot[] slots) =>
        new(slots, [Message("c", 1)], [200], DeliveryPublisher.NoPush, sockets);

    private static PendingDelivery Weighing(int entryBytes, params InboxSlot[] slots) =>
        new(slots, [Message("big", 1)], [entryBytes], DeliveryPublisher.NoPush, NotRead);

    private static readonly DeliverySeals Unsealed = new(Options.Create(new DeliverySealOptions()));

    private static readonly Dictionary<DeviceAddress, Presence> Located = new()
    {
        [BobPhone] = new Presence("gateway-a", "c1"),
        [BobLaptop] = new Presence("gateway-b", "c2"),
        [AlicePhone] = new Presence("gateway-a", "c3"),
    };

    [Fact]
    public void Commits_of_one_round_share_one_event_per_gateway_in_queue_order()
    {
        IReadOnlyList<PendingDelivery> round =
        [
            Pending([new InboxSlot(BobPhone, 7), new InboxSlot(BobLaptop, 3)], Message("c1", 1)),
            Pending([new InboxSlot(AlicePhone, 4)], Message("c2", 9)),
            Pending([new InboxSlot(BobPhone, 8)], Message("c1", 2)),
        ];

        var events = DeliveryRound.Events(round, Located, Unsealed).ToDictionary(e => e.Instance, e => e.Batch.Deliveries);

        Assert.Equal(["gateway-a", "gateway-b"], events.Keys.Order());
        Assert.Equal([("bob", 7L, 1L), ("alice", 4L, 9L), ("bob", 8L, 2L)],
            events["gateway-a"].Select(d => (d.UserId, d.N, d.Entry.Message!.Seq)));
        Assert.Equal([("bob", 3L, 1L)], events["gateway-b"].Select(d => (d.UserId, d.N, d.Entry.Message!.Seq)));
    }

    [Fact]
    public void Entries_appended_together_go_to_consecutive_numbers_of_each_device()
    {
        IReadOnlyList<PendingDelivery> round = [Pending([new InboxSlot(BobPhone, 10), new InboxSlot(BobLaptop, 20)], Message("c1", 1), Message("c1", 2))];

        var deliveries = DeliveryRound.Events(round, Located, Unsealed).SelectMany(e => e.Batch.Deliveries).ToList();

        Assert.Equal([(10L, 1L), (11L, 2L)], deliveries.Where(d => d.ClientId == "phone").Select(d => (d.N, d.Entry.Message!.Seq)));
        Assert.Equal([(20L, 1L), (21L, 2L)], deliveries.Where(d => d.ClientId == "laptop").Select(d => (d.N, d.Entry.Message!.Seq)));
    }

    [Fact]
    public void A_device_without_a_socket_gets_no_event_and_is_offline_at_its_last_entry()
    {
        var pending = Pending([new InboxSlot(CarolPhone, 5), new InboxSlot(BobPhone, 2)], Message("c1", 1), Message("c1", 2), Message("c1", 3));

        var events = DeliveryRound.Events([pending], Located, Unsealed);

        Assert.DoesNotContain(events.SelectMany(e => e.Batch.Deliveries), d => d.UserId == "carol");
        Assert.Equal([new InboxSlot(CarolPhone, 7)], DeliveryRound.Offline(pending, Located));
    }

    [Fact]
    public void Only_devices_no_commit_found_with_a_socket_are_looked_up_for_the_round()
    {
        IReadOnlyList<PendingDelivery> round =
        [
            Seeing(new() { [BobPhone] = new Presence("gateway-a", "c1") }, new InboxSlot(BobPhone, 1), new InboxSlot(AlicePhone, 1)),
            Seeing(new() { [AlicePhone] = new Presence("gateway-b", "c3") }, new InboxSlot(AlicePhone, 2), new InboxSlot(CarolPhone, 1)),
            Pending([new InboxSlot(BobLaptop, 1), new InboxSlot(CarolPhone, 2)], Message("c", 2)),
        ];

        Assert.Equal([CarolPhone, BobLaptop], DeliveryRound.Unlocated(round));
    }

    [Fact]
    public void A_commits_own_read_routes_its_devices_and_the_latest_commit_wins()
    {
        IReadOnlyList<PendingDelivery> round =
        [
            Seeing(new() { [BobPhone] = new Presence("gateway-a", "old") }, new InboxSlot(BobPhone, 1)),
            Seeing(new() { [BobPhone] = new Presence("gateway-b", "new") }, new InboxSlot(BobPhone, 2), new InboxSlot(CarolPhone, 1)),
        ];

        var located = DeliveryRound.Located(round, new Dictionary<DeviceAddress, Presence> { [CarolPhone] = new Presence("gateway-a", "c4") });

        Assert.Equal(new Presence("gateway-b", "new"), located[BobPhone]);
        Assert.Equal(new Presence("gateway-a", "c4"), located[CarolPhone]);
        Assert.Equal(2, located.Count);
    }

    [Fact]
    public void A_round_takes_commits_up_to_its_delivery_limit_but_always_takes_one()
    {
        var group = Pending([.. Enumerable.Range(0, 300).Select(i => new InboxSlot(new DeviceAddress($"u{i}", "phone"), 1))], Message("g", 1));
        var single = Pending([new InboxSlot(BobPhone, 1)], Message("c", 1));
        var huge = Pending([.. Enumerable.Range(0, DeliveryRound.MaxDeliveries + 100).Select(i => new InboxSlot(new DeviceAddress($"u{i}", "phone"), 1))], Message("g", 1));

        Assert.True(DeliveryRound.Takes(0, 0, huge));
        Assert.True(DeliveryRound.Takes(300, group.Bytes, single));
        Assert.False(DeliveryRound.Takes(300, group.Bytes, group));
        Assert.True(DeliveryRound.Takes(DeliveryRound.MaxDeliveries - 1, 1000, single));
        Assert.False(DeliveryRound.Takes(DeliveryRound.MaxDeliveries, 1000, single));
    }

    [Fact]
    public void A_round_takes_commits_up_to_its_byte_limit_too_counting_a_copy_per_device()
    {
        // 64 KiB to 100 devices is 6.4 MiB of events, though the entry is held once.
        var large = Weighing(64 * 1024, [.. Enumerable.Range(0, 100).Select(i => new InboxSlot(new DeviceAddress($"u{i}", "phone"), 1))]);
        var small = Weighing(100, new InboxSlot(BobPhone, 1));

        Assert.True(large.Bytes > 100 * 64 * 1024);
        Assert.True(DeliveryRound.Takes(0, 0, large));
        Assert.True(DeliveryRound.Takes(1, large.Bytes, small));
        Assert.False(DeliveryRound.Takes(100, large.Bytes, large));
    }

    [Fact]
    public void A_gateways_deliveries_over_the_event_limit_go_in_several_events_in_order()
    {
        var entryBytes = (int)(DeliveryRound.MaxEventBytes / 3);
        IReadOnlyList<PendingDelivery> round =
            [.. Enumerable.Range(0, 5).Select(i => Weighing(entryBytes, new InboxSlot(BobPhone, i)))];

        var events = DeliveryRound.Events(round, Located, Unsealed);

        Assert.All(events, e => Assert.Equal("gateway-a", e.Instance));
        Assert.All(events, e => Assert.True(e.Batch.Deliveries.Count * (long)(entryBytes + DeliveryRound.DeliveryOverheadBytes) <= DeliveryRound.MaxEventBytes));
        Assert.Equal([0L, 1, 2, 3, 4], events.SelectMany(e => e.Batch.Deliveries).Select(d => d.N));
        Assert.True(events.Count >= 3);
    }

    [Fact]
    public void With_the_key_every_delivery_is_sealed_for_its_own_device_and_number()
    {
        var seals = new DeliverySeals(Options.Create(new DeliverySealOptions { SealKey = new string('k', DeliverySealOptions.MinKeyLength) }));
        IReadOnlyList<PendingDelivery> round = [Pending([new InboxSlot(BobPhone, 10), new InboxSlot(BobLaptop, 20)], Message("c1", 1), Message("c1", 2))];

        var deliveries = DeliveryRound.Events(round, Located, seals).SelectMany(e => e.Batch.Deliveries).ToList();

        Assert.Equal(4, deliveries.Count);
        Assert.All(deliveries, d => Assert.True(seals.IsSealed(d)));
        Assert.Equal(4, deliveries.Select(d => d.Seal).Distinct().Count());
        Assert.All(DeliveryRound.Events(round, Located, Unsealed).SelectMany(e => e.Batch.Deliveries), d => Assert.Null(d.Seal));
    }
}
