using Natter.ConnectionGateway.Receipts;

namespace Natter.ConnectionGateway.Tests;

public sealed class DeliveredReceiptsTests
{
    [Fact]
    public void A_batch_of_acks_becomes_one_report_per_chat_naming_its_highest_seq()
    {
        SentMessage[] acked = [new("chat-a", 3), new("chat-b", 1), new("chat-a", 7), new("chat-a", 5), new("chat-b", 2)];

        var upTo = DeliveredReceipts.Coalesce(acked);

        Assert.Equal(new Dictionary<string, long> { ["chat-a"] = 7, ["chat-b"] = 2 }, upTo);
    }

    [Fact]
    public void A_batch_without_messages_reports_nothing()
    {
        Assert.Empty(DeliveredReceipts.Coalesce([]));
    }
}
