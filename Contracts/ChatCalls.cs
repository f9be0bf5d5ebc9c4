namespace Natter.Contracts;

// Gateway → ChatActor calls (Dapr actor method invocation, JSON bodies). Expected failures come back as an
// error code in the result, never as exceptions: an exception across the actor boundary loses its type.

public sealed record ChatCreateRequest(string CreatorUserId, IReadOnlyList<string> Participants, string? Name);

public sealed record ChatSendRequest(
    string UserId, string ClientId, string Message, IReadOnlyList<string> Attachments, string? ClientMessageId,
    string? ReplyTo = null); // replies (§10)

public sealed record ChatModifyRequest(string UserId, string TargetUserId, string Operation);

public sealed record ChatGetRequest(string UserId);

/// <summary>An expected refusal of a chat call: a code from <see cref="ErrorCodes"/> and a message for people.</summary>
public sealed record ChatError(string Code, string Message);

/// <summary>
/// The chat as createChat, getChat and modifyChatParticipants leave it. LastSeq is the seq of its last message, 0 before
/// the first.
/// </summary>
public sealed record ChatDescription(string ChatId, string? Name, string Creator, IReadOnlyList<string> Participants, long LastSeq);

/// <summary>A message the chat accepted: its id, its seq in the chat and the server's time in Unix milliseconds.</summary>
public sealed record AcceptedMessage(string MessageId, long Seq, long Timestamp);

/// <summary>
/// The answer to a chat actor call: Value on success, or Error for an expected refusal; never both. The conversions let
/// the actor return either one as is.
/// </summary>
public sealed record ChatResult<T>(T? Value, ChatError? Error) where T : class
{
    public static implicit operator ChatResult<T>(T value) => new(value, null);

    public static implicit operator ChatResult<T>(ChatError error) => new(null, error);
}
