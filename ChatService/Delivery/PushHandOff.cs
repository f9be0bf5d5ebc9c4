using Dapr.Client;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Delivery;

/// <summary>
/// Hands the recipients that have no live socket, and have a push token, to the push sender: one event per stored
/// item, never one per device. Best effort like deliveries: the inbox holds the item whether or not a push goes out.
/// </summary>
public sealed class PushHandOff(DaprClient dapr, ILogger<PushHandOff> logger)
{
    public async Task PublishAsync(IEnumerable<InboxSlot> offline, IReadOnlyDictionary<DeviceAddress, string> pushTokens, InboxEntry entry, CancellationToken ct)
    {
        if (pushTokens.Count == 0 || (entry.Message?.ChatId ?? entry.ChatUpdate?.ChatId) is not { } chatId)
        {
            return;
        }
        // A user's own message on their other devices is history, not news: it raises no notification.
        var sender = entry.Message?.UserId;
        var requests = offline
            .Where(s => pushTokens.ContainsKey(s.Device) && s.Device.UserId != sender)
            .Select(s => new PushRequest(s.Device.UserId, s.Device.ClientId, pushTokens[s.Device], chatId, 1))
            .ToList();
        if (requests.Count == 0)
        {
            return;
        }
        try
        {
            await dapr.PublishEventAsync(PushTopics.PubSubName, PushTopics.Requests, new PushBatch(requests), ct);
            ChatTelemetry.PushRequests.Add(requests.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Handing {Count} push requests to the push sender failed; the devices get the items on reconnect", requests.Count);
        }
    }
}
