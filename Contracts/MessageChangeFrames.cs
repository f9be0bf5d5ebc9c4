using System.Text.Json.Serialization;

namespace Natter.Contracts;

// Edits, deletions, replies and reactions (docs/PROTOCOL.md §10): the commands, the durable items they produce, the
// results, and the gateway → ChatActor calls.

public static class MessageChangeFrameTypes
{
    // Client → server commands.
    public const string EditMessage = "editMessage";
    public const string DeleteMessage = "deleteMessage";
    public const string React = "react";

    // Server → client durable items (inbox entries, acknowledged with RECEIVED like newMessage).
    public const string MessageEdited = "messageEdited";
    public const string MessageDeleted = "messageDeleted";
    public const string Reaction = "reaction";
}

public static class MessageChangeErrorCodes
{
    /// <summary>No message with this id in this chat (never sent, sent in another chat, or expired after 30 days).</summary>
    public const string UnknownMessage = "unknown_message";

    /// <summary>The message was deleted for everyone: it can no longer be edited, reacted to or replied to.</summary>
    public const string MessageDeleted = "message_deleted";

    /// <summary>The 15-minute edit window, counted from the server's acceptance time, has passed.</summary>
    public const string EditWindowClosed = "edit_window_closed";

    /// <summary>The 48-hour delete-for-everyone window has passed.</summary>
    public const string DeleteWindowClosed = "delete_window_closed";

    /// <summary>The reaction is not exactly one emoji.</summary>
    public const string InvalidEmoji = "invalid_emoji";
}

public sealed record EditMessageCommand(string? ChatId, string? MessageId, string? Message);

public sealed record DeleteMessageCommand(string? ChatId, string? MessageId);

/// <summary>Emoji null removes the caller's reaction.</summary>
public sealed record ReactCommand(string? ChatId, string? MessageId, string? Emoji);

/// <summary>
/// What a reply carries of the message it quotes, as WhatsApp shows it: who wrote it and the start of its text (as it
/// read when the reply was sent; later edits and deletions of the quoted message arrive as their own items).
/// </summary>
public sealed record ReplyQuote(string MessageId, string UserId, string Excerpt);

/// <summary>The body of a messageEdited item. EditedAt is the server's time in Unix milliseconds.</summary>
public sealed record MessageEditedPayload(string ChatId, string MessageId, long Seq, string UserId, string Message, long EditedAt);

/// <summary>The body of a messageDeleted item: the message and its attachments are gone for everyone.</summary>
public sealed record MessageDeletedPayload(string ChatId, string MessageId, long Seq, string UserId, long DeletedAt);

/// <summary>The body of a reaction item: UserId's reaction to the message is now Emoji (null: removed).</summary>
public sealed record ReactionPayload(string ChatId, string MessageId, long Seq, string UserId, string? Emoji, long Timestamp);

public sealed record MessageEditedFrame(string DeliveryId, MessageEditedPayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => MessageChangeFrameTypes.MessageEdited;
}

public sealed record MessageDeletedFrame(string DeliveryId, MessageDeletedPayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => MessageChangeFrameTypes.MessageDeleted;
}

public sealed record ReactionFrame(string DeliveryId, ReactionPayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => MessageChangeFrameTypes.Reaction;
}

public sealed record EditMessageResult(string? RequestId, string ChatId, string MessageId, long EditedAt)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(MessageChangeFrameTypes.EditMessage);
}

public sealed record DeleteMessageResult(string? RequestId, string ChatId, string MessageId, long DeletedAt)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(MessageChangeFrameTypes.DeleteMessage);
}

public sealed record ReactResult(string? RequestId, string ChatId, string MessageId, string? Emoji)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(MessageChangeFrameTypes.React);
}

/// <summary>Gateway → ChatActor: UserId and ClientId come from the caller's validated token, never from the frame.</summary>
public sealed record ChatEditRequest(string UserId, string ClientId, string MessageId, string Message);

public sealed record ChatDeleteRequest(string UserId, string ClientId, string MessageId);

public sealed record ChatReactRequest(string UserId, string ClientId, string MessageId, string? Emoji);

/// <summary>An edit the chat stored: EditedAt is the server's time in Unix milliseconds.</summary>
public sealed record EditOutcome(string MessageId, long EditedAt);

/// <summary>A deletion for everyone: DeletedAt is the server's time of the first one (a repeat answers the same).</summary>
public sealed record DeleteOutcome(string MessageId, long DeletedAt);

/// <summary>The caller's reaction as the chat now stores it; Emoji null means it has none.</summary>
public sealed record ReactionOutcome(string MessageId, string? Emoji);
