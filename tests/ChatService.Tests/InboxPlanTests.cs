using Dapr.Client;
using Natter.ChatService.Inbox;
using Natter.Contracts;

namespace Natter.ChatService.Tests;

public sealed class InboxPlanTests
{
    [Fact]
    public void Each_device_gets_the_next_number_of_its_own_inbox_guarded_by_the_etag_read()
    {
        var heads = new Dictionary<string, (InboxHead?, string?)>
        {
            [StateKeys.InboxHead("phone")] = (new InboxHead(7), "3"),
            [StateKeys.InboxHead("new")] = (null, null),
        };

        var (operations, slots) = InboxWriter.Plan(["phone", "new", "phone"], heads, "{}"u8.ToArray());

        Assert.Equal([new InboxSlot("phone", 7), new InboxSlot("new", 0)], slots);
        var phoneHead = Assert.Single(operations, o => o.Key == StateKeys.InboxHead("phone"));
        Assert.Equal("3", phoneHead.ETag);
        Assert.Equal("{\"next\":8}", System.Text.Encoding.UTF8.GetString(phoneHead.Value!));
        var entry = Assert.Single(operations, o => o.Key == StateKeys.InboxEntry("phone", 7));
        Assert.Equal(StateOperationType.Upsert, entry.OperationType);
        Assert.Equal(Retention.PeriodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Metadata!["ttlInSeconds"]);
        Assert.Contains(operations, o => o.Key == StateKeys.InboxEntry("new", 0));
        Assert.Equal(4, operations.Count);
    }
}
