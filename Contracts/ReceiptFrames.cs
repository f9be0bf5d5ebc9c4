using System.Text.Json.Serialization;

namespace Natter.Contracts;

// Receipts (the ticks), message info, user settings and the caught-up marker: docs/PROTOCOL.md §9.

public static class ReceiptFrameTypes
{
    // Client → server commands.
    public const string MarkRead = "markRead";
    public const string GetMessageInfo = "getMessageInfo";

    // Server → client pushes.
    public const string Receipt = "receipt";
    public const string InboxDrained = "inboxDrained";
}

public static class ReceiptStatus
{
    public const string Delivered = "delivered";
    public const string Read = "read";
}

public sealed record MarkReadCommand(string? ChatId, long? Seq);

public sealed record GetMessageInfoCommand(string? ChatId, string? MessageId);


/// <summary>
/// The body of a receipt push: member UserId has had every message of the chat up to and including UpToSeq delivered
/// (or read). One item covers the whole range, so a client sets the ticks of all its messages with seq ≤ UpToSeq.
/// </summary>
public sealed record ReceiptPayload(string ChatId, string UserId, string Status, long UpToSeq, long Timestamp);

public sealed record ReceiptFrame(string DeliveryId, ReceiptPayload Payload)
{
    [JsonPropertyOrder(-1)] public string Type => ReceiptFrameTypes.Receipt;
}

/// <summary>Sent once per connection, after the connect drain: everything stored before the connect has been sent.</summary>
public sealed record InboxDrainedFrame
{
    public string Type => ReceiptFrameTypes.InboxDrained;
}

public sealed record MarkReadResult(string? RequestId, string ChatId, long ReadUpToSeq)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(ReceiptFrameTypes.MarkRead);
}

/// <summary>One member's state for one message: times in Unix ms, null when not (yet, or not visibly) so.</summary>
public sealed record MemberReceipt(string UserId, long? DeliveredAt, long? ReadAt);

public sealed record GetMessageInfoResult(string? RequestId, string ChatId, long Seq, string MessageId, IReadOnlyList<MemberReceipt> Members)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(ReceiptFrameTypes.GetMessageInfo);
}

// Gateway → ChatActor calls for receipts.

/// <summary>
/// Member UserId has received (Status delivered, from its devices' acks) or read (from markRead) the chat up to Seq.
/// The gateway fills UserId from the caller's token, never from the client.
/// </summary>
public sealed record ChatReceiptRequest(string UserId, long Seq, string Status);

/// <summary>
/// The delivered reports of one chat from one gateway's acknowledgement flush: each member's highest acked seq. One
/// actor turn for all of them, so a group message's acks cost the chat a turn per gateway, not one per member. Acked
/// lists the inbox entries those acks were for (the chat's messages), which the turn deletes in its own commit, so the
/// gateway need not delete them in another call.
/// </summary>
public sealed record ChatDeliveredRequest(IReadOnlyList<DeliveredMark> Marks, IReadOnlyList<AckedEntries>? Acked = null);

public sealed record DeliveredMark(string UserId, long Seq);

/// <summary>Inbox entries of the device (UserId, ClientId) that it acknowledged.</summary>
public sealed record AckedEntries(string UserId, string ClientId, IReadOnlyList<long> Entries);

/// <summary>How a batch of delivered reports ended: marks that moved, and reports refused (a member removed since the
/// message was sent, a seq the chat never had). Repeats are neither. AckedDeleted: the request's acked entries were
/// deleted in the turn's commit (false from a chat service that predates Acked: the gateway then deletes them).</summary>
public sealed record DeliveredOutcome(int Moved, int Refused, bool AckedDeleted = false);

public sealed record ChatMessageInfoRequest(string UserId, string MessageId);

/// <summary>The member's read mark after a markRead: the seq it names, or a higher one it had reached already.</summary>
public sealed record ReadOutcome(long ReadUpToSeq);

/// <summary>Who of the chat's other members has had the message delivered and read (as the caller may see).</summary>
public sealed record MessageInfo(string MessageId, long Seq, IReadOnlyList<MemberReceipt> Members);
