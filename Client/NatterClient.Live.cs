using System.Text.Json;
using System.Threading.Channels;
using Natter.Contracts;

namespace Natter.Client;

// Typing indicators, presence and last seen, and the presence setting (docs/PROTOCOL.md §12).
public sealed partial class NatterClient
{
    private readonly Channel<TypingFrame> _typing = Channel.CreateUnbounded<TypingFrame>();

    /// <summary>
    /// Typing signals from the other members of your chats, as they arrive (live only: missed while disconnected, never
    /// replayed). Show a start for its expiresInMs unless another start refreshes it; a stop hides it at once.
    /// </summary>
    public ChannelReader<TypingFrame> Typing => _typing.Reader;

    /// <summary>
    /// Tells the chat's other members' online devices that you started or stopped typing. Send start again every few
    /// seconds while typing; Forwarded is false when the server's rate limit dropped it (nothing to do then).
    /// </summary>
    public async Task<TypingResult> TypingAsync(string chatId, string state, CancellationToken ct = default) =>
        Read<TypingResult>(await RequestAsync(FrameTypes.Typing, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("state", state);
        }, ct));

    /// <summary>Online or last seen of those users you may see (sharing a chat, neither of you hiding presence).</summary>
    public async Task<GetPresenceResult> GetPresenceAsync(IEnumerable<string> userIds, CancellationToken ct = default) =>
        Read<GetPresenceResult>(await RequestAsync(FrameTypes.GetPresence, w =>
        {
            w.WriteStartArray("userIds");
            foreach (var userId in userIds)
            {
                w.WriteStringValue(userId);
            }
            w.WriteEndArray();
        }, ct));

    /// <summary>Changes the given settings (null: unchanged) and returns all of them as now stored.</summary>
    public async Task<UpdateSettingsResult> UpdateSettingsAsync(bool? readReceipts = null, bool? showPresence = null, CancellationToken ct = default) =>
        Read<UpdateSettingsResult>(await RequestAsync(FrameTypes.UpdateSettings, w =>
        {
            if (readReceipts is { } receipts)
            {
                w.WriteBoolean("readReceipts", receipts);
            }
            if (showPresence is { } show)
            {
                w.WriteBoolean("showPresence", show);
            }
        }, ct));

    private void AcceptTyping(JsonElement root) => _typing.Writer.TryWrite(root.Deserialize<TypingFrame>(NatterJson.Options)!);
}
