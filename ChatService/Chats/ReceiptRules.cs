using Natter.Contracts;

namespace Natter.ChatService.Chats;

/// <summary>One receipt item to append: these senders learn that the member reached Status up to UpToSeq.</summary>
public sealed record ReceiptNotice(string Status, long UpToSeq, IReadOnlyList<string> Senders);

/// <summary>How receipts move the high-water marks and who hears about it. Pure: the actor applies it, tests pin it.</summary>
public static class ReceiptRules
{
    /// <summary>Steps kept per mark and member: enough for message info on recent messages, bounded for old chats.</summary>
    public const int MaxSteps = 32;

    /// <summary>
    /// The marks after member reports status up to seq; null when nothing moves (a repeated or older ack, a re-read),
    /// so repeats cost no write and notify nobody. Reading up to seq also delivers up to seq.
    /// </summary>
    public static MemberReceipts? Advance(MemberReceipts current, string status, long seq, long now)
    {
        var read = status == ReceiptStatus.Read ? Math.Max(current.ReadUpTo, seq) : current.ReadUpTo;
        var delivered = Math.Max(current.DeliveredUpTo, Math.Max(read, status == ReceiptStatus.Delivered ? seq : 0));
        if (read == current.ReadUpTo && delivered == current.DeliveredUpTo)
        {
            return null;
        }
        return new MemberReceipts(delivered, read,
            delivered > current.DeliveredUpTo ? Step(current.Delivered, delivered, now) : current.Delivered,
            read > current.ReadUpTo ? Step(current.Read, read, now) : current.Read);
    }

    /// <summary>
    /// Who gets a receipt when member's marks move from before to after: every other current member whose latest
    /// message in the chat (lastSent) lies above the old mark, so it has a message in the newly covered range. A sender
    /// whose messages all lie outside the range but who sent later too also gets one; it repeats what it knows (the
    /// marks name "up to"), and avoids a store read per covered message. Read goes only where both sides share read
    /// receipts; otherwise the same move is told as delivered.
    /// </summary>
    public static IReadOnlyList<ReceiptNotice> Notices(
        string member, MemberReceipts before, MemberReceipts after, IReadOnlyDictionary<string, long> lastSent,
        IReadOnlyCollection<string> members, Func<string, bool> sharesReads)
    {
        var read = new List<string>();
        var delivered = new List<string>();
        foreach (var sender in members)
        {
            if (sender == member || !lastSent.TryGetValue(sender, out var last))
            {
                continue;
            }
            if (after.ReadUpTo > before.ReadUpTo && last > before.ReadUpTo && sharesReads(member) && sharesReads(sender))
            {
                read.Add(sender);
            }
            else if (after.DeliveredUpTo > before.DeliveredUpTo && last > before.DeliveredUpTo)
            {
                delivered.Add(sender);
            }
        }
        var notices = new List<ReceiptNotice>(2);
        if (delivered.Count > 0)
        {
            notices.Add(new ReceiptNotice(ReceiptStatus.Delivered, after.DeliveredUpTo, delivered));
        }
        if (read.Count > 0)
        {
            notices.Add(new ReceiptNotice(ReceiptStatus.Read, after.ReadUpTo, read));
        }
        return notices;
    }

    /// <summary>When the mark first covered seq: the earliest kept step at or above it; null when it does not cover seq.</summary>
    public static long? CoveredAt(long upTo, IReadOnlyList<ReceiptStep> steps, long seq) =>
        upTo < seq ? null : steps.FirstOrDefault(s => s.UpTo >= seq)?.At;

    /// <summary>The chat's latest seq per sender, after sender sent seq.</summary>
    public static IReadOnlyDictionary<string, long> WithSender(IReadOnlyDictionary<string, long>? lastSent, string sender, long seq) =>
        new Dictionary<string, long>(lastSent ?? new Dictionary<string, long>(), StringComparer.Ordinal) { [sender] = seq };

    private static IReadOnlyList<ReceiptStep> Step(IReadOnlyList<ReceiptStep> steps, long upTo, long at) =>
        [.. steps.Skip(Math.Max(0, steps.Count + 1 - MaxSteps)), new ReceiptStep(upTo, at)];
}
