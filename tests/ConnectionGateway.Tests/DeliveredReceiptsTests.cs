using Natter.Contracts;
using Natter.ConnectionGateway.Receipts;

namespace Natter.ConnectionGateway.Tests;

public sealed class DeliveredReceiptsTests
{
    [Fact]
    public void A_batch_of_acks_becomes_one_report_per_chat_naming_each_users_highest_seq()
    {
        (string, SentMessage)[] acked =
        [
            ("bob", new("chat-a", 3)), ("bob", new("chat-b", 1)), ("carol", new("chat-a", 5)), ("bob", new("chat-a", 7)),
            ("carol", new("chat-a", 4)), ("bob", new("chat-b", 2)),
        ];

        var byChat = DeliveredReceipts.Coalesce(acked);

        Assert.Equal(["chat-a", "chat-b"], byChat.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([new DeliveredMark("bob", 7), new DeliveredMark("carol", 5)], byChat["chat-a"].OrderBy(m => m.UserId, StringComparer.Ordinal));
        Assert.Equal([new DeliveredMark("bob", 2)], byChat["chat-b"]);
    }

    [Fact]
    public void A_batch_without_messages_reports_nothing()
    {
        Assert.Empty(DeliveredReceipts.Coalesce([]));
    }
}
