using Natter.Contracts;
using Natter.ConnectionGateway.Receipts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Tests;

public sealed class DeliveredReceiptsTests
{
    [Fact]
    public void A_batch_of_acks_becomes_one_report_per_chat_naming_each_users_highest_seq_and_each_devices_entries()
    {
        DeviceAddress bobPhone = new("bob", "phone"), bobLaptop = new("bob", "laptop"), carol = new("carol", "phone");
        (DeviceAddress, SentMessage)[] acked =
        [
            (bobPhone, new(10, "chat-a", 3)), (bobPhone, new(11, "chat-b", 1)), (carol, new(4, "chat-a", 5)), (bobLaptop, new(20, "chat-a", 7)),
            (carol, new(3, "chat-a", 4)), (bobPhone, new(12, "chat-b", 2)),
        ];

        var byChat = DeliveredReceipts.Coalesce(acked);

        Assert.Equal(["chat-a", "chat-b"], byChat.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([new DeliveredMark("bob", 7), new DeliveredMark("carol", 5)], byChat["chat-a"].Marks.OrderBy(m => m.UserId, StringComparer.Ordinal));
        Assert.Equal([new DeliveredMark("bob", 2)], byChat["chat-b"].Marks);
        Assert.Equal(["bob/laptop: 20", "bob/phone: 10", "carol/phone: 3,4"], Described(byChat["chat-a"].Acked!));
        Assert.Equal(["bob/phone: 11,12"], Described(byChat["chat-b"].Acked!));
    }

    private static IEnumerable<string> Described(IEnumerable<AckedEntries> acked) =>
        acked.Select(a => $"{a.UserId}/{a.ClientId}: {string.Join(',', a.Entries.Order())}").Order(StringComparer.Ordinal);

    [Fact]
    public void A_batch_without_messages_reports_nothing()
    {
        Assert.Empty(DeliveredReceipts.Coalesce([]));
    }
}
