using Natter.ConnectionGateway.Chats;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Receipts;

/// <summary>A message this socket sent: enough to report its delivery when the client acks it, without a store read.</summary>
public readonly record struct SentMessage(string ChatId, long Seq);

/// <summary>
/// Turns a batch of acknowledged messages into delivered reports: one call per chat for every user in the batch, each
/// naming the user's highest acked seq, since a mark covers every seq up to the one it names. The chat's actor decides
/// whether each mark moves and who hears about it.
/// </summary>
public sealed class DeliveredReceipts(ChatClient chats, ILogger<DeliveredReceipts> logger)
{
    // An ack batch waits at most this long for its reports before the entries are deleted anyway: a slow chat service
    // must not hold acks back until the items are re-sent (RedeliveryTimeout).
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Per chat, each user's highest acked seq. Pure.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<DeliveredMark>> Coalesce(IEnumerable<(string UserId, SentMessage Message)> acked) =>
        acked.GroupBy(a => a.Message.ChatId, StringComparer.Ordinal).ToDictionary(
            chat => chat.Key,
            IReadOnlyList<DeliveredMark> (chat) => [.. chat.GroupBy(a => a.UserId, StringComparer.Ordinal)
                .Select(user => new DeliveredMark(user.Key, user.Max(a => a.Message.Seq)))],
            StringComparer.Ordinal);

    /// <summary>
    /// Reports before the acked entries are deleted: a crash in between re-sends the items, and their acks report again
    /// (a repeat moves no mark, so nobody hears twice). A failed report is logged and dropped: the next ack or markRead
    /// in that chat covers its range, since marks name "up to".
    /// </summary>
    public async Task ReportAsync(IEnumerable<(string UserId, SentMessage Message)> acked)
    {
        var byChat = Coalesce(acked);
        if (byChat.Count == 0)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(ReportTimeout);
        await Task.WhenAll(byChat.Select(async chat =>
        {
            try
            {
                var result = await chats.ReportDeliveredAsync(chat.Key, new ChatDeliveredRequest(chat.Value), timeout.Token);
                if (result.Error is not null)
                {
                    logger.LogDebug("Delivered reports for chat {Chat} refused: {Code}", chat.Key, result.Error.Code);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Delivered reports for chat {Chat} failed; a later ack or read covers them", chat.Key);
            }
        }));
    }
}
