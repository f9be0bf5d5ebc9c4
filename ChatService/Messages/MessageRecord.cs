using System.Globalization;
using Natter.Contracts;

namespace Natter.ChatService.Messages;

/// <summary>
/// message|{chatId}|{messageId}: what the chat's actor must know of a sent message to decide edits, deletions, replies
/// and reactions. Written by the chat's actor only, in the same fenced transaction as the inbox entries of the item
/// that changed it (the send included), so it never disagrees with what the devices were told. It expires with the
/// message, 30 days after the send: every rewrite carries the remaining time, not a fresh 30 days.
/// </summary>
public sealed record MessageRecord(
    string MessageId,
    long Seq,
    string SenderId,
    long Timestamp,
    IReadOnlyList<string> AttachmentIds,
    string Excerpt,
    long? EditedAt = null,
    long? DeletedAt = null,
    IReadOnlyDictionary<string, string>? Reactions = null)
{
    /// <summary>Text elements of the message kept for reply quotes (WhatsApp shows about two lines).</summary>
    public const int ExcerptLength = 100;

    public static string Key(string chatId, string messageId) => $"message|{chatId}|{messageId}";

    public bool IsDeleted => DeletedAt is not null;

    public static MessageRecord ForSent(MessagePayload payload) => new(
        payload.MessageId, payload.Seq, payload.UserId, payload.Timestamp,
        [.. payload.Attachments.Select(a => a.AttachmentId)], ExcerptOf(payload.Message));

    /// <summary>The first <see cref="ExcerptLength"/> text elements, so an emoji or accent is never cut in half.</summary>
    public static string ExcerptOf(string message)
    {
        var elements = new StringInfo(message);
        return elements.LengthInTextElements <= ExcerptLength ? message : elements.SubstringByTextElements(0, ExcerptLength);
    }

    /// <summary>The state store TTL metadata for a rewrite at now: what is left of the 30 days; null once they are over.</summary>
    public IReadOnlyDictionary<string, string>? RemainingTtl(DateTimeOffset now)
    {
        var left = DateTimeOffset.FromUnixTimeMilliseconds(Timestamp) + Retention.Period - now;
        var seconds = (long)Math.Ceiling(left.TotalSeconds);
        return seconds <= 0
            ? null
            : new Dictionary<string, string> { ["ttlInSeconds"] = seconds.ToString(CultureInfo.InvariantCulture) };
    }
}
