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

    private static PendingDelivery Pending(IReadOnlyList<InboxSlot> slots, params InboxEntry[] entries) =>
        new(slots, entries, DeliveryPublisher.NoPush);

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

        var events = DeliveryRound.Events(round, Located).ToDictionary(e => e.Instance, e => e.Batch.Deliveries);

        Assert.Equal(["gateway-a", "gateway-b"], events.Keys.Order());
        Assert.Equal([("bob", 7L, 1L), ("alice", 4L, 9L), ("bob", 8L, 2L)],
            events["gateway-a"].Select(d => (d.UserId, d.N, d.Entry.Message!.Seq)));
        Assert.Equal([("bob", 3L, 1L)], events["gateway-b"].Select(d => (d.UserId, d.N, d.Entry.Message!.Seq)));
    }

    [Fact]
    public void Entries_appended_together_go_to_consecutive_numbers_of_each_device()
    {
        IReadOnlyList<PendingDelivery> round = [Pending([new InboxSlot(BobPhone, 10), new InboxSlot(BobLaptop, 20)], Message("c1", 1), Message("c1", 2))];

        var deliveries = DeliveryRound.Events(round, Located).SelectMany(e => e.Batch.Deliveries).ToList();

        Assert.Equal([(10L, 1L), (11L, 2L)], deliveries.Where(d => d.ClientId == "phone").Select(d => (d.N, d.Entry.Message!.Seq)));
        Assert.Equal([(20L, 1L), (21L, 2L)], deliveries.Where(d => d.ClientId == "laptop").Select(d => (d.N, d.Entry.Message!.Seq)));
    }

    [Fact]
    public void A_device_without_a_socket_gets_no_event_and_is_offline_at_its_last_entry()
    {
        var pending = Pending([new InboxSlot(CarolPhone, 5), new InboxSlot(BobPhone, 2)], Message("c1", 1), Message("c1", 2), Message("c1", 3));

        var events = DeliveryRound.Events([pending], Located);

        Assert.DoesNotContain(events.SelectMany(e => e.Batch.Deliveries), d => d.UserId == "carol");
        Assert.Equal([new InboxSlot(CarolPhone, 7)], DeliveryRound.Offline(pending, Located));
        Assert.Equal([AlicePhone, BobPhone], DeliveryRound.Devices([Pending([new InboxSlot(AlicePhone, 1)], Message("c", 1)), Pending([new InboxSlot(BobPhone, 1), new InboxSlot(AlicePhone, 2)], Message("c", 2))]));
    }

    [Fact]
    public void A_round_takes_commits_up_to_its_delivery_limit_but_always_takes_one()
    {
        var group = Pending([.. Enumerable.Range(0, 300).Select(i => new InboxSlot(new DeviceAddress($"u{i}", "phone"), 1))], Message("g", 1));
        var single = Pending([new InboxSlot(BobPhone, 1)], Message("c", 1));
        var huge = Pending([.. Enumerable.Range(0, DeliveryRound.MaxDeliveries + 100).Select(i => new InboxSlot(new DeviceAddress($"u{i}", "phone"), 1))], Message("g", 1));

        Assert.True(DeliveryRound.Takes(0, huge));
        Assert.True(DeliveryRound.Takes(300, single));
        Assert.False(DeliveryRound.Takes(300, group));
        Assert.True(DeliveryRound.Takes(DeliveryRound.MaxDeliveries - 1, single));
        Assert.False(DeliveryRound.Takes(DeliveryRound.MaxDeliveries, single));
    }
}
