using System.Collections.Concurrent;
using System.Text.Json;
using Natter.ConnectionGateway.Receipts;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>Delivered reports from acks, and the inboxDrained marker (§9).</summary>
public sealed partial class ClientConnection
{
    private static readonly byte[] InboxDrained = JsonSerializer.SerializeToUtf8Bytes(new InboxDrainedFrame(), NatterJson.Options);

    // Entry n → the message it carried, for others' messages sent on this socket and not yet acked: an ack is reported
    // as delivered without reading the entry back. Bounded by the cursor's pending items; gone with the connection.
    private readonly ConcurrentDictionary<long, SentMessage> _sentMessages = new();
    private int _drained;

    private void RememberSent(long n, InboxEntry entry)
    {
        // The user's own messages (copies for its other devices) are no news to their sender.
        if (entry.Message is { } message && message.UserId != Identity.UserId)
        {
            _sentMessages[n] = new SentMessage(n, message.ChatId, message.Seq);
        }
    }

    /// <summary>The others' messages among the acked entries, to report as delivered (none for receipts or own messages).</summary>
    private List<SentMessage> DeliveredAmong(IReadOnlyList<long> batch)
    {
        var acked = new List<SentMessage>();
        foreach (var n in batch)
        {
            if (_sentMessages.TryRemove(n, out var message))
            {
                acked.Add(message);
            }
        }
        return acked;
    }

    /// <summary>The connect drain, then the marker: every entry stored before the connect has been queued before it.</summary>
    private async Task DrainAsync(long head, CancellationToken ct)
    {
        await CatchUpAsync(head, ct);
        MarkDrained();
    }

    /// <summary>Queues inboxDrained once per connection; it has no deliveryId and is never acknowledged or stored.</summary>
    private void MarkDrained()
    {
        if (Interlocked.Exchange(ref _drained, 1) == 0)
        {
            Enqueue(InboxDrained);
        }
    }
}
