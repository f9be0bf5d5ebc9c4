namespace Natter.Contracts;

// Gateway → ChatActor calls (Dapr actor method invocation, JSON bodies). Expected failures come back as an
// error code in the result, never as exceptions: an exception across the actor boundary loses its type.

public sealed record ChatCreateRequest(string CreatorUserId, IReadOnlyList<string> Participants, string? Name);

public sealed record ChatSendRequest(
    string UserId, string ClientId, string Message, IReadOnlyList<string> Attachments, string? ClientMessageId,
    string? ReplyTo = null); // replies (§10)

public sealed record ChatModifyRequest(string UserId, string TargetUserId, string Operation);

public sealed record ChatGetRequest(string UserId);

/// <summary>The outcome of any chat call: Error is null on success.</summary>
public sealed record ChatCallResult(
    string? Error, string? ErrorMessage, string? ChatId, string? Name, string? Creator, IReadOnlyList<string>? Participants,
    string? MessageId, long? Seq, long? Timestamp)
{
    public static ChatCallResult Fail(string code, string message) => new(code, message, null, null, null, null, null, null, null);
}

public static class ChatActorNames
{
    public const string ActorType = "ChatActor";
    public const string Create = "CreateAsync";
    public const string Send = "SendAsync";
    public const string Modify = "ModifyParticipantsAsync";
    public const string Get = "GetAsync";
}
