namespace Natter.Contracts;

/// <summary>
/// Keys of the shared Dapr state store (component "statestore", keyPrefix name, so the gateway and the chat service
/// see the same keys). Everything is addressed by key: nothing here ever needs a key scan.
/// </summary>
public static class StateKeys
{
    public const string StoreName = "statestore";

    public static string Devices(string userId) => $"devices|{userId}";
    public static string UserShard(int shard) => $"user-shard|{shard}";
    public static string ChatIndex(string userId) => $"chats|{userId}";
    public static string Chat(string chatId) => $"chat|{chatId}";
    public static string InboxHead(string clientId) => $"inbox-head|{clientId}";
    public static string InboxTail(string clientId) => $"inbox-tail|{clientId}";
    public static string InboxEntry(string clientId, long n) => $"inbox|{clientId}|{n}";
    public static string Presence(string clientId) => $"presence|{clientId}";
    public static string Dedupe(string clientId, string clientMessageId) => $"dedupe|{clientId}|{clientMessageId}";
    public const string CleanupLease = "cleanup-lease";

    /// <summary>Users are spread over a fixed set of shard docs so the daily sweep can enumerate them without a scan.</summary>
    public const int UserShardCount = 16;

    public static int ShardOf(string userId)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % UserShardCount);
    }
}

public static class Retention
{
    /// <summary>Inbox entries, dedupe records and idle clients live at most 30 days (product retention).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromDays(30);

    public const int PeriodSeconds = 30 * 24 * 3600;
}

/// <summary>The registry of a user's active clients. At most 3: MaxDevicesPerUser.</summary>
public sealed record DeviceRegistry(IReadOnlyList<DeviceRecord> Clients)
{
    public const int MaxDevicesPerUser = 3; // product limit

    public static readonly DeviceRegistry Empty = new([]);
}

public sealed record DeviceRecord(string ClientId, long RegisteredAt, long LastSeen);

/// <summary>The users whose device registry lives in one shard (for the idle-client sweep).</summary>
public sealed record UserShard(IReadOnlyList<string> Users);

/// <summary>A user's chats, for listChats.</summary>
public sealed record ChatIndex(IReadOnlyList<ChatSummary> Chats)
{
    public static readonly ChatIndex Empty = new([]);
}

/// <summary>inbox-head|{clientId}: the next entry number to write. Only ever grows.</summary>
public sealed record InboxHead(long Next);

/// <summary>inbox-tail|{clientId}: every entry below Lowest is done (acked or expired).</summary>
public sealed record InboxTail(long Lowest);

/// <summary>One pending item of one device: a full copy, so it disappears once that device acks it.</summary>
public sealed record InboxEntry(string Kind, MessagePayload? Message, ChatUpdatePayload? ChatUpdate, long EnqueuedAt, string? TraceParent);

public static class InboxEntryKinds
{
    public const string NewMessage = FrameTypes.NewMessage;
    public const string ChatUpdate = FrameTypes.ChatUpdate;
}

/// <summary>presence|{clientId}: which gateway instance holds the client's socket. A lease with a TTL.</summary>
public sealed record Presence(string GatewayInstanceId, string ConnectionId);

/// <summary>dedupe|{clientId}|{clientMessageId}: the result a resend gets back.</summary>
public sealed record DedupeRecord(string MessageId, long Seq, long Timestamp);

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
