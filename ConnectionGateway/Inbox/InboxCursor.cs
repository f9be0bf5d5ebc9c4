namespace Natter.ConnectionGateway.Inbox;

/// <summary>
/// What one connection knows about its device's inbox: every n below Next has been sent or found gone; sent items
/// stay pending until acked; everything below AckFloor is done, so the tail may move there. Not thread-safe: the
/// connection serialises access. Pure, so unit-tested.
/// </summary>
public sealed class InboxCursor(long tail)
{
    private readonly Dictionary<long, long> _pendingSince = [];
    private readonly SortedSet<long> _doneAboveFloor = [];
    private readonly HashSet<long> _acknowledging = [];

    /// <summary>The next entry number this connection has not yet looked at.</summary>
    public long Next { get; private set; } = tail;

    /// <summary>Every entry below this is acked or gone.</summary>
    public long AckFloor { get; private set; } = tail;

    public int PendingCount => _pendingSince.Count;

    public bool IsPending(long n) => _pendingSince.ContainsKey(n);

    public bool IsDone(long n) => n < AckFloor || _doneAboveFloor.Contains(n);

    /// <summary>Records that n went out on the socket; Next moves past it.</summary>
    public void Sent(long n, long now)
    {
        _pendingSince[n] = now;
        Next = Math.Max(Next, n + 1);
    }

    /// <summary>Records that n is finished: acked by the client, or missing from the store.</summary>
    public void Done(long n)
    {
        _pendingSince.Remove(n);
        _acknowledging.Remove(n);
        Next = Math.Max(Next, n + 1);
        if (n < AckFloor)
        {
            return;
        }
        _doneAboveFloor.Add(n);
        while (_doneAboveFloor.Remove(AckFloor))
        {
            AckFloor++;
        }
    }

    /// <summary>
    /// Marks a pending item's acknowledgement as on its way to the store; false when it is not pending or already on its
    /// way, so a client repeating one ack, or acking ids never sent, costs nothing and changes nothing.
    /// </summary>
    public bool Acknowledging(long n) => _pendingSince.ContainsKey(n) && _acknowledging.Add(n);

    /// <summary>The store refused the delete: the item stays pending, and a later ack may try again.</summary>
    public void AcknowledgeFailed(long n) => _acknowledging.Remove(n);

    /// <summary>Pending items sent before now - timeout; their clock restarts when re-sent.</summary>
    public IReadOnlyList<long> Overdue(long now, long timeout) =>
        [.. _pendingSince.Where(p => now - p.Value >= timeout).Select(p => p.Key).Order()];
}
