using System.Text.Json;
using Dapr.Client;
using Natter.Contracts;
using Natter.State;

namespace Natter.ChatService.Chats;

/// <summary>
/// chat-message|{chatId}|{seq}: who sent the message at seq, written with the message (30-day TTL like its inbox
/// copies), so message info can be refused to everyone but the sender without reading any inbox.
/// </summary>
public sealed record MessageRecord(string MessageId, string UserId, long Timestamp)
{
    public static string Key(string chatId, long seq) => $"chat-message|{chatId}|{seq}";

    /// <summary>The record's write, for the send's transaction; unguarded, since a chat's seq is written once.</summary>
    public static StateTransactionRequest Write(string chatId, MessagePayload message) =>
        NatterState.Put(Key(chatId, message.Seq),
            JsonSerializer.SerializeToUtf8Bytes(new MessageRecord(message.MessageId, message.UserId, message.Timestamp), NatterJson.Options),
            NatterState.RetentionTtl);
}
