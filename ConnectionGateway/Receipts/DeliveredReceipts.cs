using Natter.ConnectionGateway.Chats;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Receipts;

/// <summary>
/// Entry N of a device that carried someone else's message: enough to report its delivery when the client acks it,
/// without a store read.
/// </summary>
public readonly record struct SentMessage(long N, string ChatId, long Seq);

/// <summary>
/// Turns a batch of acknowledged messages into delivered reports: one call per chat for every user in the batch, each
/// naming the user's highest acked seq, since a mark covers every seq up to the one it names. The chat's actor decides
/// whether each mark moves and who hears about it, and deletes the acked entries in the same commit.
/// </summary>
public sealed class DeliveredReceipts(ChatClient chats, ILogger<DeliveredReceipts> logger)
{
    // An ack batch waits at most this long for its reports before the entries are deleted anyway: a slow chat service
    // must not hold acks back until the items are re-sent (RedeliveryTimeout).
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    private static readonly IReadOnlySet<(DeviceAddress, long)> NoneDeleted = new HashSet<(DeviceAddress, long)>();

    /// <summary>Per chat, each user's highest acked seq and each device's acked entries of that chat. Pure.</summary>
    public static IReadOnlyDictionary<string, ChatDeliveredRequest> Coalesce(IEnumerable<(DeviceAddress Device, SentMessage Message)> acked) =>
        acked.GroupBy(a => a.Message.ChatId, StringComparer.Ordinal).ToDictionary(
            chat => chat.Key,
            chat => new ChatDeliveredRequest(
                [.. chat.GroupBy(a => a.Device.UserId, StringComparer.Ordinal).Select(user => new DeliveredMark(user.Key, user.Max(a => a.Message.Seq)))],
                [.. chat.GroupBy(a => a.Device).Select(device => new AckedEntries(device.Key.UserId, device.Key.ClientId, [.. device.Select(a => a.Message.N)]))]),
            StringComparer.Ordinal);

    /// <summary>
    /// Reports, and returns the acked entries the chats' commits deleted. The report and the delete are one commit: a
    /// crash before it re-sends the items, and their acks report again (a repeat moves no mark, so nobody hears twice).
    /// A failed report is logged and dropped, its entries left to the caller to delete: the next ack or markRead in
    /// that chat covers its range, since marks name "up to".
    /// </summary>
    public async Task<IReadOnlySet<(DeviceAddress Device, long N)>> ReportAsync(IEnumerable<(DeviceAddress Device, SentMessage Message)> acked)
    {
        var byChat = Coalesce(acked);
        if (byChat.Count == 0)
        {
            return NoneDeleted;
        }
        using var timeout = new CancellationTokenSource(ReportTimeout);
        var deleted = await Task.WhenAll(byChat.Select(async chat =>
        {
            try
            {
                var result = await chats.ReportDeliveredAsync(chat.Key, chat.Value, timeout.Token);
                if (result.Error is not null)
                {
                    logger.LogDebug("Delivered reports for chat {Chat} refused: {Code}", chat.Key, result.Error.Code);
                }
                return result.Value?.AckedDeleted == true ? chat.Value.Acked! : [];
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Delivered reports for chat {Chat} failed; a later ack or read covers them", chat.Key);
                return [];
            }
        }));
        return deleted.SelectMany(entries => entries)
            .SelectMany(a => a.Entries.Select(n => (new DeviceAddress(a.UserId, a.ClientId), n)))
            .ToHashSet();
    }
}
