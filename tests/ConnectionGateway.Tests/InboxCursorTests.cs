using Natter.ConnectionGateway.Inbox;

namespace Natter.ConnectionGateway.Tests;

public sealed class InboxCursorTests
{
    [Fact]
    public void The_ack_floor_moves_only_over_a_contiguous_run_of_done_entries()
    {
        var cursor = new InboxCursor(10);
        cursor.Sent(10, 0);
        cursor.Sent(11, 0);
        cursor.Sent(12, 0);

        cursor.Done(11);
        Assert.Equal(10, cursor.AckFloor);
        cursor.Done(10);
        Assert.Equal(12, cursor.AckFloor);
        Assert.True(cursor.IsPending(12));
        cursor.Done(12);
        Assert.Equal(13, cursor.AckFloor);
        Assert.Equal(13, cursor.Next);
    }

    [Fact]
    public void Done_and_pending_entries_are_not_sent_again_and_entries_below_the_tail_are_done()
    {
        var cursor = new InboxCursor(5);
        cursor.Sent(5, 0);

        Assert.True(cursor.IsDone(4));
        Assert.True(cursor.IsPending(5));
        Assert.False(cursor.IsDone(6));
        cursor.Done(6); // found missing in the store while catching up
        Assert.True(cursor.IsDone(6));
        Assert.Equal(7, cursor.Next);
    }

    [Fact]
    public void Only_items_older_than_the_timeout_are_overdue_in_order()
    {
        var cursor = new InboxCursor(0);
        cursor.Sent(2, 100);
        cursor.Sent(0, 100);
        cursor.Sent(1, 900);

        Assert.Equal([0, 2], cursor.Overdue(now: 1000, timeout: 500));
        cursor.Done(0);
        Assert.Equal([2], cursor.Overdue(now: 1000, timeout: 500));
    }

    [Fact]
    public void Only_a_pending_item_is_acknowledged_and_only_once_so_bogus_acks_cannot_grow_the_cursor()
    {
        var cursor = new InboxCursor(0);
        cursor.Sent(0, 1);

        Assert.False(cursor.Acknowledging(1_000_000)); // never sent: ignored, nothing recorded
        Assert.True(cursor.Acknowledging(0));
        Assert.False(cursor.Acknowledging(0)); // a repeat while the delete is on its way
        Assert.Equal(1, cursor.Next);
        Assert.False(cursor.IsDone(1_000_000));
    }

    [Fact]
    public void A_failed_delete_leaves_the_item_pending_so_a_later_ack_is_taken_again()
    {
        var cursor = new InboxCursor(0);
        cursor.Sent(0, 1);
        Assert.True(cursor.Acknowledging(0));

        cursor.AcknowledgeFailed(0);

        Assert.True(cursor.IsPending(0));
        Assert.True(cursor.Acknowledging(0));
        cursor.Done(0);
        Assert.Equal(1, cursor.AckFloor);
    }
}
