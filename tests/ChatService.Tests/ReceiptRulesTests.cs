using Natter.ChatService.Chats;
using Natter.Contracts;

namespace Natter.ChatService.Tests;

public sealed class ReceiptRulesTests
{
    private static readonly string[] Members = ["alice", "bob", "carol"];

    private static bool Everyone(string _) => true;

    [Fact]
    public void Delivered_moves_only_the_delivered_mark_and_records_when()
    {
        var after = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Delivered, 5, now: 1000)!;

        Assert.Equal(5, after.DeliveredUpTo);
        Assert.Equal(0, after.ReadUpTo);
        Assert.Equal([new ReceiptStep(5, 1000)], after.Delivered);
        Assert.Empty(after.Read);
    }

    [Fact]
    public void A_repeated_or_older_report_moves_nothing_so_nobody_hears_again()
    {
        var marks = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Read, 5, 1000)!;

        Assert.Null(ReceiptRules.Advance(marks, ReceiptStatus.Delivered, 5, 2000));
        Assert.Null(ReceiptRules.Advance(marks, ReceiptStatus.Delivered, 3, 2000));
        Assert.Null(ReceiptRules.Advance(marks, ReceiptStatus.Read, 4, 2000));
    }

    [Fact]
    public void Reading_implies_delivered_up_to_the_same_seq()
    {
        var delivered = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Delivered, 2, 1000)!;

        var read = ReceiptRules.Advance(delivered, ReceiptStatus.Read, 7, 2000)!;

        Assert.Equal(7, read.ReadUpTo);
        Assert.Equal(7, read.DeliveredUpTo);
        Assert.Equal([new ReceiptStep(2, 1000), new ReceiptStep(7, 2000)], read.Delivered);
    }

    [Fact]
    public void Only_senders_with_a_message_above_the_old_mark_are_notified_and_never_the_member_itself()
    {
        var before = new MemberReceipts(4, 0, [], []);
        var after = ReceiptRules.Advance(before, ReceiptStatus.Delivered, 9, 1000)!;
        // alice's latest message is at 8, inside (4, 9]; carol's at 3, already covered; bob is the member.
        var lastSent = new Dictionary<string, long> { ["alice"] = 8, ["carol"] = 3, ["bob"] = 9 };

        var notices = ReceiptRules.Notices("bob", before, after, lastSent, Members, Everyone);

        var notice = Assert.Single(notices);
        Assert.Equal(ReceiptStatus.Delivered, notice.Status);
        Assert.Equal(9, notice.UpToSeq);
        Assert.Equal(["alice"], notice.Senders);
    }

    [Fact]
    public void A_former_member_hears_nothing()
    {
        var after = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Delivered, 3, 1000)!;
        var lastSent = new Dictionary<string, long> { ["dave"] = 2 };

        Assert.Empty(ReceiptRules.Notices("bob", MemberReceipts.None, after, lastSent, Members, Everyone));
    }

    [Fact]
    public void Read_goes_to_senders_who_share_reads_and_the_others_hear_delivered()
    {
        var after = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Read, 6, 1000)!;
        var lastSent = new Dictionary<string, long> { ["alice"] = 5, ["carol"] = 6 };

        var notices = ReceiptRules.Notices("bob", MemberReceipts.None, after, lastSent, Members, user => user != "carol");

        Assert.Equal(2, notices.Count);
        Assert.Equal(["carol"], notices.Single(n => n.Status == ReceiptStatus.Delivered).Senders);
        Assert.Equal(["alice"], notices.Single(n => n.Status == ReceiptStatus.Read).Senders);
        Assert.All(notices, n => Assert.Equal(6, n.UpToSeq));
    }

    [Fact]
    public void A_reader_with_read_receipts_off_sends_delivered_only()
    {
        var after = ReceiptRules.Advance(MemberReceipts.None, ReceiptStatus.Read, 6, 1000)!;
        var lastSent = new Dictionary<string, long> { ["alice"] = 5 };

        var notice = Assert.Single(ReceiptRules.Notices("bob", MemberReceipts.None, after, lastSent, Members, user => user != "bob"));

        Assert.Equal(ReceiptStatus.Delivered, notice.Status);
    }

    [Fact]
    public void A_read_of_what_was_delivered_already_and_not_shared_notifies_nobody()
    {
        var before = new MemberReceipts(6, 0, [new ReceiptStep(6, 1000)], []);
        var after = ReceiptRules.Advance(before, ReceiptStatus.Read, 6, 2000)!;
        var lastSent = new Dictionary<string, long> { ["alice"] = 5 };

        Assert.Empty(ReceiptRules.Notices("bob", before, after, lastSent, Members, user => user != "bob"));
    }

    [Fact]
    public void Message_info_time_is_when_the_mark_first_covered_the_seq()
    {
        IReadOnlyList<ReceiptStep> steps = [new(3, 100), new(8, 200)];

        Assert.Equal(100, ReceiptRules.CoveredAt(8, steps, 2));
        Assert.Equal(200, ReceiptRules.CoveredAt(8, steps, 4));
        Assert.Null(ReceiptRules.CoveredAt(8, steps, 9));
    }

    [Fact]
    public void Steps_are_bounded_and_an_older_message_gets_the_oldest_kept_time_as_an_upper_bound()
    {
        var marks = MemberReceipts.None;
        for (var seq = 1; seq <= ReceiptRules.MaxSteps + 10; seq++)
        {
            marks = ReceiptRules.Advance(marks, ReceiptStatus.Delivered, seq, now: seq * 10)!;
        }

        Assert.Equal(ReceiptRules.MaxSteps, marks.Delivered.Count);
        Assert.Equal(marks.Delivered[0].At, ReceiptRules.CoveredAt(marks.DeliveredUpTo, marks.Delivered, 1));
        Assert.Equal((ReceiptRules.MaxSteps + 10) * 10, ReceiptRules.CoveredAt(marks.DeliveredUpTo, marks.Delivered, ReceiptRules.MaxSteps + 10));
    }

    [Fact]
    public void Last_sent_keeps_every_senders_latest_seq()
    {
        var lastSent = ReceiptRules.WithSender(null, "alice", 1);
        lastSent = ReceiptRules.WithSender(lastSent, "bob", 2);
        lastSent = ReceiptRules.WithSender(lastSent, "alice", 3);

        Assert.Equal(new Dictionary<string, long> { ["alice"] = 3, ["bob"] = 2 }, lastSent);
    }
}
