using Dapr.Client;
using Natter.Contracts;

namespace Natter.Inbox.Tests;

public sealed class DeviceRulesTests
{
    [Fact]
    public void A_fourth_client_is_refused_and_a_known_client_only_refreshes_last_seen()
    {
        var three = new DeviceRegistry([new("a", 1, 1), new("b", 1, 1), new("c", 1, 1)]);

        Assert.Equal(RegistrationOutcome.TooManyDevices, three.Register("d", 5).Outcome);
        var (changed, outcome) = three.Register("b", 5);
        Assert.Equal(RegistrationOutcome.AlreadyActive, outcome);
        Assert.Equal(5, changed!.Find("b")!.LastSeen);
        Assert.Equal(RegistrationOutcome.Registered, DeviceRegistry.Empty.Register("a", 5).Outcome);
    }

    [Fact]
    public void A_retiring_device_receives_nothing_and_cannot_be_touched_until_it_is_removed()
    {
        var registry = new DeviceRegistry([new("a", 1, 1), new("b", 1, 1)]).MarkRetiring(["b"])!;

        Assert.Equal(["a"], registry.ActiveClients);
        Assert.Null(registry.Touch("b", 9));
        Assert.Null(registry.MarkRetiring(["b"]));
        Assert.Equal(["a"], registry.RemoveRetired("b")!.Clients.Select(c => c.ClientId));
        Assert.Null(registry.RemoveRetired("a"));
    }

    [Fact]
    public void Touch_only_moves_last_seen_forward()
    {
        var registry = new DeviceRegistry([new("a", 1, 10)]);

        Assert.Null(registry.Touch("a", 5));
        Assert.Equal(20, registry.Touch("a", 20)!.Find("a")!.LastSeen);
        Assert.Null(registry.Touch("unknown", 20));
    }

    [Theory]
    [InlineData("a:b", "c", "a", "b:c")]
    [InlineData("a|b", "c", "a", "b|c")]
    [InlineData("a%3Ab", "c", "a:b", "c")]
    public void Device_keys_never_collide_whatever_the_ids_contain(string user1, string client1, string user2, string client2) =>
        Assert.NotEqual(new DeviceAddress(user1, client1).Key, new DeviceAddress(user2, client2).Key);

    [Fact]
    public void Two_users_with_the_same_client_id_have_separate_inboxes()
    {
        Assert.NotEqual(InboxKeys.Head(new DeviceAddress("alice", "phone")), InboxKeys.Head(new DeviceAddress("mallory", "phone")));
        Assert.NotEqual(InboxKeys.Entry(new DeviceAddress("alice", "phone"), 0), InboxKeys.Entry(new DeviceAddress("mallory", "phone"), 0));
        Assert.NotEqual(InboxKeys.Presence(new DeviceAddress("alice", "phone")), InboxKeys.Presence(new DeviceAddress("mallory", "phone")));
    }

    [Fact]
    public void Each_device_gets_the_next_number_of_its_own_inbox_guarded_by_the_etag_read_or_create_only()
    {
        var phone = new DeviceAddress("alice", "phone");
        var fresh = new DeviceAddress("bob", "new");
        var heads = new Dictionary<string, (InboxHead?, string?)>
        {
            [InboxKeys.Head(phone)] = (new InboxHead(7), "3"),
            [InboxKeys.Head(fresh)] = (null, null),
        };

        var (operations, slots) = DeviceInbox.PlanAppend([phone, fresh, phone], heads, "{}"u8.ToArray());

        Assert.Equal([new InboxSlot(phone, 7), new InboxSlot(fresh, 0)], slots);
        var phoneHead = Assert.Single(operations, o => o.Key == InboxKeys.Head(phone));
        Assert.Equal("3", phoneHead.ETag);
        Assert.Equal(StateConcurrency, phoneHead.Options!.Concurrency);
        Assert.Equal("{\"next\":8}", System.Text.Encoding.UTF8.GetString(phoneHead.Value!));
        var freshHead = Assert.Single(operations, o => o.Key == InboxKeys.Head(fresh));
        Assert.Null(freshHead.ETag);
        Assert.Equal(StateConcurrency, freshHead.Options!.Concurrency); // no etag + first-write = create-only
        var entry = Assert.Single(operations, o => o.Key == InboxKeys.Entry(phone, 7));
        Assert.Equal(StateOperationType.Upsert, entry.OperationType);
        Assert.Equal(Retention.PeriodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Metadata!["ttlInSeconds"]);
        Assert.Contains(operations, o => o.Key == InboxKeys.Entry(fresh, 0));
        Assert.Equal(4, operations.Count);
    }

    [Fact]
    public void Entries_appended_together_take_consecutive_numbers_and_move_each_head_once()
    {
        var phone = new DeviceAddress("alice", "phone");
        var laptop = new DeviceAddress("alice", "laptop");
        var heads = new Dictionary<string, (InboxHead?, string?)>
        {
            [InboxKeys.Head(phone)] = (new InboxHead(4), "9"),
            [InboxKeys.Head(laptop)] = (new InboxHead(0), "2"),
        };

        var (operations, slots) = DeviceInbox.PlanAppend([phone, laptop], heads, ["1"u8.ToArray(), "2"u8.ToArray(), "3"u8.ToArray()]);

        Assert.Equal([new InboxSlot(phone, 4), new InboxSlot(laptop, 0)], slots);
        Assert.Equal("{\"next\":7}", System.Text.Encoding.UTF8.GetString(Assert.Single(operations, o => o.Key == InboxKeys.Head(phone)).Value!));
        Assert.Equal("{\"next\":3}", System.Text.Encoding.UTF8.GetString(Assert.Single(operations, o => o.Key == InboxKeys.Head(laptop)).Value!));
        Assert.Equal(["1", "2", "3"], [.. Enumerable.Range(4, 3).Select(n =>
            System.Text.Encoding.UTF8.GetString(Assert.Single(operations, o => o.Key == InboxKeys.Entry(phone, n)).Value!))]);
        Assert.Equal(["1", "2", "3"], [.. Enumerable.Range(0, 3).Select(n =>
            System.Text.Encoding.UTF8.GetString(Assert.Single(operations, o => o.Key == InboxKeys.Entry(laptop, n)).Value!))]);
        Assert.Equal(8, operations.Count);
    }

    private const ConcurrencyMode StateConcurrency = ConcurrencyMode.FirstWrite;
}
