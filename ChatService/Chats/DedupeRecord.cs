using Natter.Inbox;

namespace Natter.ChatService.Chats;

/// <summary>
/// dedupe|{chatId}|{device}|{clientMessageId}: the result a resend gets back. Keyed by chat and device, so reusing a
/// clientMessageId in another chat, or another user's client with the same client_id, is a new message.
/// </summary>
public sealed record DedupeRecord(string MessageId, long Seq, long Timestamp)
{
    public static string Key(string chatId, DeviceAddress device, string clientMessageId) =>
        $"dedupe|{chatId}|{device.Key}|{Uri.EscapeDataString(clientMessageId)}";
}
