using Natter.Contracts;

namespace Natter.ChatService.Messages;

/// <summary>
/// What an edit, a delete or a reaction does to a message, decided on the stored record and the server's clock, never
/// the client's. Pure functions: the chat's actor applies them after its membership check, unit tests pin them.
/// </summary>
public static class MessageRules
{
    /// <summary>WhatsApp's edit window, counted from the server's acceptance time.</summary>
    public static readonly TimeSpan EditWindow = TimeSpan.FromMinutes(15);

    /// <summary>Delete for everyone: about two days, as WhatsApp allows.</summary>
    public static readonly TimeSpan DeleteWindow = TimeSpan.FromHours(48);

    public static MessageChange<EditOutcome> Edit(MessageRecord? record, string userId, string message, DateTimeOffset now)
    {
        if (Visible(record) is { } refused)
        {
            return MessageChange<EditOutcome>.Refuse(refused);
        }
        if (record!.SenderId != userId)
        {
            return MessageChange<EditOutcome>.Refuse(ErrorCodes.NotAllowed, "only the sender may edit a message");
        }
        if (now - Sent(record) > EditWindow)
        {
            return MessageChange<EditOutcome>.Refuse(MessageChangeErrorCodes.EditWindowClosed,
                $"a message can be edited for {EditWindow.TotalMinutes:0} minutes after it was sent");
        }
        var at = now.ToUnixTimeMilliseconds();
        return MessageChange<EditOutcome>.Write(
            record with { Excerpt = MessageRecord.ExcerptOf(message), EditedAt = at }, new EditOutcome(record.MessageId, at));
    }

    /// <summary>A repeated delete by the sender succeeds again without a new item (its attachments are released again).</summary>
    public static MessageChange<DeleteOutcome> Delete(MessageRecord? record, string userId, DateTimeOffset now)
    {
        if (record is null)
        {
            return MessageChange<DeleteOutcome>.Refuse(MessageChangeErrorCodes.UnknownMessage, "no such message in this chat");
        }
        if (record.SenderId != userId)
        {
            return MessageChange<DeleteOutcome>.Refuse(ErrorCodes.NotAllowed, "only the sender may delete a message for everyone");
        }
        if (record.DeletedAt is { } deletedAt)
        {
            return MessageChange<DeleteOutcome>.Repeat(new DeleteOutcome(record.MessageId, deletedAt));
        }
        if (now - Sent(record) > DeleteWindow)
        {
            return MessageChange<DeleteOutcome>.Refuse(MessageChangeErrorCodes.DeleteWindowClosed,
                $"a message can be deleted for everyone for {DeleteWindow.TotalHours:0} hours after it was sent");
        }
        var at = now.ToUnixTimeMilliseconds();
        // The text goes with the deletion: the record keeps only what later refusals need.
        return MessageChange<DeleteOutcome>.Write(
            record with { Excerpt = "", DeletedAt = at, Reactions = null }, new DeleteOutcome(record.MessageId, at));
    }

    /// <summary>emoji null removes the user's reaction. The same reaction again, or removing none, writes nothing.</summary>
    public static MessageChange<ReactionOutcome> React(MessageRecord? record, string userId, string? emoji)
    {
        if (Visible(record) is { } refused)
        {
            return MessageChange<ReactionOutcome>.Refuse(refused);
        }
        if (emoji is not null && !SingleEmoji.IsValid(emoji))
        {
            return MessageChange<ReactionOutcome>.Refuse(MessageChangeErrorCodes.InvalidEmoji, "a reaction is exactly one emoji");
        }
        var reactions = new Dictionary<string, string>(record!.Reactions ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var result = new ReactionOutcome(record.MessageId, emoji);
        var current = reactions.GetValueOrDefault(userId);
        if (current == emoji)
        {
            return MessageChange<ReactionOutcome>.Repeat(result);
        }
        if (emoji is null)
        {
            reactions.Remove(userId);
        }
        else
        {
            reactions[userId] = emoji;
        }
        return MessageChange<ReactionOutcome>.Write(record with { Reactions = reactions.Count == 0 ? null : reactions }, result);
    }

    /// <summary>replyTo must name a message of this chat that is still there.</summary>
    public static (ReplyQuote? Quote, ChatError? Refusal) Quote(MessageRecord? record) =>
        Visible(record) is { } refused ? (null, refused) : (new ReplyQuote(record!.MessageId, record.SenderId, record.Excerpt), null);

    /// <summary>The refusal for a message that is not there to change or quote, else null.</summary>
    private static ChatError? Visible(MessageRecord? record) =>
        record is null ? new ChatError(MessageChangeErrorCodes.UnknownMessage, "no such message in this chat")
        : record.IsDeleted ? new ChatError(MessageChangeErrorCodes.MessageDeleted, "the message was deleted")
        : null;

    private static DateTimeOffset Sent(MessageRecord record) => DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp);
}

/// <summary>What a command decided: a refusal, a repeat (answer, write nothing), or the record to write with the answer.</summary>
public sealed record MessageChange<T>(ChatResult<T> Result, MessageRecord? Updated) where T : class
{
    public static MessageChange<T> Refuse(ChatError refusal) => new(refusal, null);

    public static MessageChange<T> Refuse(string code, string message) => Refuse(new ChatError(code, message));

    public static MessageChange<T> Repeat(T outcome) => new(outcome, null);

    public static MessageChange<T> Write(MessageRecord updated, T outcome) => new(outcome, updated);
}
