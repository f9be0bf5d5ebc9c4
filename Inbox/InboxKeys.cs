using Natter.Contracts;

namespace Natter.Inbox;

/// <summary>
/// The keys this library owns in the shared store (component "statestore", keyPrefix name, so gateways and chat
/// services see the same keys). Nothing outside the library spells them; everything is addressed by key, never scanned.
/// </summary>
internal static class InboxKeys
{
    public const string StoreName = StateKeys.StoreName;

    public static string Head(DeviceAddress device) => $"inbox-head|{device.Key}";
    public static string Tail(DeviceAddress device) => $"inbox-tail|{device.Key}";
    public static string Entry(DeviceAddress device, long n) => $"inbox|{device.Key}|{n}";
    public static string Presence(DeviceAddress device) => $"presence|{device.Key}";
    public static string Devices(string userId) => $"devices|{Uri.EscapeDataString(userId)}";
    public static string ClientOwner(string clientId) => $"client-owner|{Uri.EscapeDataString(clientId)}";
    public static string UserShard(int shard) => $"user-shard|{shard}";

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
