namespace Natter.Contracts;

/// <summary>
/// Keys of the shared Dapr state store (component "statestore", keyPrefix name, so the gateway and the chat service
/// see the same keys). Everything is addressed by key: nothing here ever needs a key scan.
/// </summary>
public static class StateKeys
{
    public const string StoreName = "statestore";

    public static string ChatIndex(string userId) => $"chats|{userId}";
    public static string Chat(string chatId) => $"chat|{chatId}";
    public const string CleanupLease = "cleanup-lease";
}

public static class Retention
{
    /// <summary>Inbox entries, dedupe records and idle clients live at most 30 days (product retention).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromDays(30);

    public const int PeriodSeconds = 30 * 24 * 3600;
}

/// <summary>A user's chats, for listChats.</summary>
public sealed record ChatIndex(IReadOnlyList<ChatSummary> Chats)
{
    public static readonly ChatIndex Empty = new([]);
}

/// <summary>One pending item of one device: a full copy, so it disappears once that device acks it.</summary>
public sealed record InboxEntry(
    string Kind, MessagePayload? Message, ChatUpdatePayload? ChatUpdate, long EnqueuedAt, string? TraceParent,
    // Edits, deletions and reactions (§10): exactly one is set when Kind names it.
    MessageEditedPayload? Edited = null, MessageDeletedPayload? Deleted = null, ReactionPayload? Reaction = null,
    ReceiptPayload? Receipt = null); // receipts: §9

public static class InboxEntryKinds
{
    public const string NewMessage = FrameTypes.NewMessage;
    public const string ChatUpdate = FrameTypes.ChatUpdate;
    public const string Receipt = ReceiptFrameTypes.Receipt; // receipts: §9
}

/// <summary>cleanup-lease: one sweep at a time even when every sidecar fires the cron.</summary>
public sealed record CleanupLease(string Holder, long ExpiresAt);

public static class DeliveryIds
{
    public static string Format(string clientId, long n) => $"{clientId}:{n}";

    public static bool TryParse(string? deliveryId, out string clientId, out long n)
    {
        clientId = "";
        n = -1;
        var colon = deliveryId?.LastIndexOf(':') ?? -1;
        if (deliveryId is null || colon <= 0
            || !long.TryParse(deliveryId.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out n))
        {
            return false;
        }
        clientId = deliveryId[..colon];
        return true;
    }
}
