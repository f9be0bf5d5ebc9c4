using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ConnectionGateway.Live;

/// <summary>
/// Answers getPresence: online or last seen, only for users who share a chat with the viewer, and only when both
/// show their presence (as WhatsApp: who hides theirs sees nobody's). "Share a chat" comes from the users' chat
/// indexes (chats|{user}), which the chat actor writes in the same transaction as the membership itself, so they are
/// as current as the actor and one bulk read answers for every asked user, where the actor would need a turn per chat.
/// Cost: at most four bulk reads (settings, chat indexes, device registries with presence leases, last seen).
/// </summary>
public sealed class PresenceQuery(
    DaprClient dapr, UserSettingsStore settings, DeviceRegistryStore devices, PresenceRegistry presence, LastSeenStore lastSeen)
{
    public const int MaxUsers = 100; // a chat's participant limit: a client asks for one chat's members at most

    public async Task<IReadOnlyList<PresenceInfo>> ForAsync(string viewer, IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var asked = userIds.Where(u => u != viewer).Distinct(StringComparer.Ordinal).ToList();
        if (asked.Count == 0)
        {
            return [];
        }
        var shows = await settings.GetManyAsync([viewer, .. asked], ct);
        if (!shows[viewer].ShowPresence)
        {
            return [];
        }
        var candidates = asked.Where(u => shows[u].ShowPresence).ToList();
        var shared = await SharingAChatAsync(viewer, candidates, ct);
        if (shared.Count == 0)
        {
            return [];
        }
        var located = await presence.LocateAsync(await devices.ActiveDevicesAsync(shared, ct), ct);
        var online = located.Keys.Select(d => d.UserId).ToHashSet(StringComparer.Ordinal);
        var offline = shared.Where(u => !online.Contains(u)).ToList();
        var seen = offline.Count == 0 ? new Dictionary<string, long>() : await lastSeen.ReadManyAsync(offline, ct);
        var answer = new List<PresenceInfo>(shared.Count);
        foreach (var user in shared)
        {
            if (online.Contains(user))
            {
                answer.Add(new PresenceInfo(user, true, null));
            }
            else if (seen.TryGetValue(user, out var at))
            {
                answer.Add(new PresenceInfo(user, false, at));
            }
        }
        return answer;
    }

    private async Task<IReadOnlyList<string>> SharingAChatAsync(string viewer, IReadOnlyList<string> candidates, CancellationToken ct)
    {
        if (candidates.Count == 0)
        {
            return [];
        }
        var indexes = await dapr.ReadManyAsync<ChatIndex>([.. candidates.Append(viewer).Select(StateKeys.ChatIndex)], ct);
        var mine = (indexes[StateKeys.ChatIndex(viewer)].Value ?? ChatIndex.Empty).Chats.Select(c => c.ChatId).ToHashSet(StringComparer.Ordinal);
        return [.. candidates.Where(u => (indexes[StateKeys.ChatIndex(u)].Value ?? ChatIndex.Empty).Chats.Any(c => mine.Contains(c.ChatId)))];
    }
}
