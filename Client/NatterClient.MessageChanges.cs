using System.Text.Json;
using Natter.Contracts;

namespace Natter.Client;

/// <summary>Edits, deletions for everyone and reactions (docs/PROTOCOL.md §10). Replies are sendMessage's replyTo.</summary>
public sealed partial class NatterClient
{
    /// <summary>Replaces the text of your own message, within 15 minutes of its sending (server time).</summary>
    public async Task<EditMessageResult> EditMessageAsync(string chatId, string messageId, string message, CancellationToken ct = default) =>
        Read<EditMessageResult>(await RequestAsync(MessageChangeFrameTypes.EditMessage, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("messageId", messageId);
            w.WriteString("message", message);
        }, ct));

    /// <summary>Deletes your own message for everyone, within 48 hours of its sending. Repeating it succeeds again.</summary>
    public async Task<DeleteMessageResult> DeleteMessageAsync(string chatId, string messageId, CancellationToken ct = default) =>
        Read<DeleteMessageResult>(await RequestAsync(MessageChangeFrameTypes.DeleteMessage, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("messageId", messageId);
        }, ct));

    /// <summary>Sets your one reaction to the message (replacing any earlier one); null removes it.</summary>
    public async Task<ReactResult> ReactAsync(string chatId, string messageId, string? emoji, CancellationToken ct = default) =>
        Read<ReactResult>(await RequestAsync(MessageChangeFrameTypes.React, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("messageId", messageId);
            if (emoji is null)
            {
                w.WriteNull("emoji");
            }
            else
            {
                w.WriteString("emoji", emoji);
            }
        }, ct));

    private static ReceivedItem ReadMessageChange(string? type, JsonElement root) => type switch
    {
        MessageChangeFrameTypes.MessageEdited when root.Deserialize<MessageEditedFrame>(NatterJson.Options) is { } f =>
            new ReceivedItem(MessageChangeFrameTypes.MessageEdited, f.DeliveryId, null, null, Edited: f.Payload),
        MessageChangeFrameTypes.MessageDeleted when root.Deserialize<MessageDeletedFrame>(NatterJson.Options) is { } f =>
            new ReceivedItem(MessageChangeFrameTypes.MessageDeleted, f.DeliveryId, null, null, Deleted: f.Payload),
        _ => root.Deserialize<ReactionFrame>(NatterJson.Options) is { } f
            ? new ReceivedItem(MessageChangeFrameTypes.Reaction, f.DeliveryId, null, null, Reaction: f.Payload)
            : throw new JsonException("a reaction frame without a body"),
    };
}
