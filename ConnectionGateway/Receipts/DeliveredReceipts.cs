using Natter.ConnectionGateway.Chats;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Receipts;

/// <summary>A message this socket sent: enough to report its delivery when the client acks it, without a store read.</summary>
public readonly record struct SentMessage(string ChatId, long Seq);

/// <summary>
/// Turns a batch of acknowledged messages into delivered reports: one call per chat, naming the highest acked seq,
/// since a mark covers every seq up to the one it names. The chat's actor decides whether the mark moves and who
/// hears about it.
/// </summary>
public sealed class DeliveredReceipts(ChatClient chats, ILogger<DeliveredReceipts> logger)
{
    // An ack batch waits at most this long for its reports before the entries are deleted anyway: a slow chat service
    // must not hold acks back until the items are re-sent (RedeliveryTimeout).
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The highest seq per chat among the acked messages. Pure.</summary>
    public static IReadOnlyDictionary<string, long> Coalesce(IEnumerable<SentMessage> acked)
    {
        var upTo = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var message in acked)
        {
            upTo[message.ChatId] = Math.Max(upTo.GetValueOrDefault(message.ChatId), message.Seq);
        }
        return upTo;
    }

    /// <summary>
    /// Reports before the acked entries are deleted: a crash in between re-sends the items, and their acks report again
    /// (a repeat moves no mark, so nobody hears twice). A failed report is logged and dropped: the next ack or markRead
    /// in that chat covers its range, since marks name "up to".
    /// </summary>
    public async Task ReportAsync(string userId, IEnumerable<SentMessage> acked)
    {
        var upTo = Coalesce(acked);
        if (upTo.Count == 0)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(ReportTimeout);
        await Task.WhenAll(upTo.Select(async chat =>
        {
            try
            {
                var result = await chats.ReceiptAsync(chat.Key, new ChatReceiptRequest(userId, chat.Value, ReceiptStatus.Delivered), timeout.Token);
                if (result.Error is not null)
                {
                    // A member removed since the message was sent, for instance: nothing to record.
                    logger.LogDebug("Delivered report for chat {Chat} refused: {Code}", chat.Key, result.Error);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Delivered report for chat {Chat} failed; a later ack or read covers it", chat.Key);
            }
        }));
    }
}
