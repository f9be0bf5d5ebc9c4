using System.Text.Json;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>The frames of the inbox items that edits, deletions and reactions leave (§10).</summary>
public static class MessageChangeFrames
{
    /// <summary>The frame for entry, or null when it is not one of these items.</summary>
    public static byte[]? Serialize(string deliveryId, InboxEntry entry) => entry switch
    {
        { Kind: MessageChangeFrameTypes.MessageEdited, Edited: { } edited } =>
            JsonSerializer.SerializeToUtf8Bytes(new MessageEditedFrame(deliveryId, edited), NatterJson.Options),
        { Kind: MessageChangeFrameTypes.MessageDeleted, Deleted: { } deleted } =>
            JsonSerializer.SerializeToUtf8Bytes(new MessageDeletedFrame(deliveryId, deleted), NatterJson.Options),
        { Kind: MessageChangeFrameTypes.Reaction, Reaction: { } reaction } =>
            JsonSerializer.SerializeToUtf8Bytes(new ReactionFrame(deliveryId, reaction), NatterJson.Options),
        _ => null,
    };
}
