using System.Text.Json.Serialization;

namespace Natter.Contracts;

/// <summary>The "type" of every frame on the WebSocket (docs/PROTOCOL.md). Results are "{command}.result".</summary>
public static class FrameTypes
{
    // Client → server commands.
    public const string CreateChat = "createChat";
    public const string SendMessage = "sendMessage";
    public const string ModifyChatParticipants = "modifyChatParticipants";
    public const string ListChats = "listChats";
    public const string GetChat = "getChat";
    public const string DeactivateClient = "deactivateClient";
    public const string CreateAttachment = "createAttachment";
    public const string Received = "RECEIVED";
    // Typing and presence (§12).
    public const string Typing = "typing";
    public const string GetPresence = "getPresence";
    public const string UpdateSettings = "updateSettings";
    // Push notifications (docs/PROTOCOL.md §11).
    public const string RegisterPush = "registerPush";

    // Server → client pushes.
    public const string NewMessage = "newMessage";
    public const string ChatUpdate = "chatUpdate";
    public const string Error = "error";

    public const string ResultSuffix = ".result";

    public static string ResultOf(string command) => command + ResultSuffix;
}

/// <summary>Error codes carried by error frames and FAILURE results.</summary>
public static class ErrorCodes
{
    public const string BadJson = "bad_json";
    public const string UnknownCommand = "unknown_command";
    public const string InvalidField = "invalid_field";
    public const string NotAMember = "not_a_member";
    public const string UnknownChat = "unknown_chat";
    public const string TooManyParticipants = "too_many_participants";
    public const string MessageTooLarge = "message_too_large";
    public const string TooManyAttachments = "too_many_attachments";
    public const string InvalidAttachment = "invalid_attachment";
    public const string AttachmentTooLarge = "attachment_too_large";
    public const string NotAllowed = "not_allowed";
    public const string RateLimited = "rate_limited";
    public const string TooManyDevices = "too_many_devices";
    public const string UnknownClient = "unknown_client";
    public const string ClientIdTaken = "client_id_taken";
    public const string Unavailable = "unavailable";
    // Receipts (§9).
    public const string SeqOutOfRange = "seq_out_of_range";
}

/// <summary>WebSocket close codes the gateway uses besides the standard ones (1000, 1001, 1009, 1011).</summary>
public static class CloseCodes
{
    /// <summary>Standard: the gateway is going away (shutting down, or it lost its sidecar); reconnect elsewhere.</summary>
    public const int GoingAway = 1001;

    /// <summary>Standard: a frame exceeded the gateway's frame limit.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>The user already has the maximum number of active clients.</summary>
    public const int TooManyDevices = 4001;

    /// <summary>The same client connected again elsewhere; this older socket is closed.</summary>
    public const int Replaced = 4002;

    /// <summary>The client was deactivated (by the user or by the idle sweep).</summary>
    public const int ClientDeactivated = 4003;

    /// <summary>The token's client_id is a device of another user.</summary>
    public const int ClientIdTaken = 4004;
}

/// <summary>Every client → server frame carries these two; commands add their own fields.</summary>
public sealed record CommandEnvelope(string? Type, string? RequestId);

public sealed record CreateChatCommand(IReadOnlyList<string>? Participants, string? Name);

public sealed record SendMessageCommand(
    string? ChatId, string? Message, IReadOnlyList<string>? Attachments, string? ClientMessageId,
    string? ReplyTo = null); // replies (§10)

public sealed record ModifyChatParticipantsCommand(string? ChatId, string? UserId, string? Operation);

public sealed record GetChatCommand(string? ChatId);

public sealed record DeactivateClientCommand(string? ClientId);

public sealed record ReceivedCommand(string? DeliveryId);

/// <summary>Hash is the content's SHA-256 in hex; the content itself goes to MediaService, never through the gateway.</summary>
public sealed record CreateAttachmentCommand(string? Hash, long? Size, string? ContentType);

public static class ParticipantOperations
{
    public const string Add = "ADD";
    public const string Remove = "REMOVE";
}

public static class SendStatus
{
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
}

/// <summary>The body of a newMessage push. Timestamp is the server's acceptance time in Unix milliseconds.</summary>
public sealed record MessagePayload(
    string ChatId, string MessageId, long Seq, string UserId, string Message, IReadOnlyList<AttachmentInfo> Attachments, long Timestamp,
    ReplyQuote? ReplyTo = null); // replies (§10)

/// <summary>
/// What a recipient needs to show and fetch an attachment. ThumbnailUrl (images only) is a path on MediaService, like
/// /attachments/{id}/content for the bytes.
/// </summary>
public sealed record AttachmentInfo(string AttachmentId, long Size, string ContentType, string Sha256, string? ThumbnailUrl);

/// <summary>The body of a chatUpdate push: the chat's participants after the change.</summary>
public sealed record ChatUpdatePayload(string ChatId, IReadOnlyList<string> Participants, long Timestamp);

public sealed record NewMessageFrame(string DeliveryId, MessagePayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.NewMessage;
}

public sealed record ChatUpdateFrame(string DeliveryId, ChatUpdatePayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ChatUpdate;
}

public sealed record ErrorFrame(string? RequestId, string Code, string Message)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.Error;
}

public sealed record CreateChatResult(string? RequestId, string ChatId, IReadOnlyList<string> Participants)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.CreateChat);
}

public sealed record SendMessageResult(
    string? RequestId, string Status, string? MessageId, long? Seq, long? Timestamp, string? Code, string? Message)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.SendMessage);
}

public sealed record ModifyChatParticipantsResult(string? RequestId, string ChatId, IReadOnlyList<string> Participants)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.ModifyChatParticipants);
}

public sealed record ChatSummary(string ChatId, string? Name);

public sealed record ListChatsResult(string? RequestId, IReadOnlyList<ChatSummary> Chats)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.ListChats);
}

public sealed record GetChatResult(string? RequestId, string ChatId, string? Name, string Creator, IReadOnlyList<string> Participants, long LastSeq)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.GetChat);
}

public sealed record CreateAttachmentResult(
    string? RequestId, string AttachmentId, string UploadUrl, bool AlreadyUploaded, DateTimeOffset ExpiresAt)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.CreateAttachment);
}

public sealed record DeactivateClientResult(string? RequestId, string ClientId)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.DeactivateClient);
}
