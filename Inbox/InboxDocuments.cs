namespace Natter.Inbox;

/// <summary>inbox-head: the next entry number to write. Only ever grows, and is never deleted (not even when the
/// device is deactivated), so a device never sees a delivery id twice.</summary>
public sealed record InboxHead(long Next);

/// <summary>inbox-tail: every entry below Lowest is done (acked, expired or dropped). Only ever grows.</summary>
public sealed record InboxTail(long Lowest);

/// <summary>client-owner: which user a client_id belongs to. Created once, so another user's token naming the same
/// client_id is refused rather than sharing or stealing the device.</summary>
public sealed record ClientOwner(string UserId);

/// <summary>presence: which gateway instance holds the device's socket. A lease with a TTL.</summary>
public sealed record Presence(string GatewayInstanceId, string ConnectionId);

/// <summary>The users whose device registry lives in one shard (for the idle-client sweep).</summary>
public sealed record UserShard(IReadOnlyList<string> Users);

/// <summary>Where one entry landed: device and entry number.</summary>
public readonly record struct InboxSlot(DeviceAddress Device, long N);
