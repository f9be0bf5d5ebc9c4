using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Natter.ChatService.Messages;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ChatService.Chats;

/// <summary>
/// Edits, deletions for everyone, reactions and reply quotes (docs/PROTOCOL.md §10). Each change is decided on the
/// message record (<see cref="MessageRecord"/>) by <see cref="MessageRules"/> and committed with its inbox entries in
/// the chat's fenced transaction, like a message. These items take no seq of their own: seq numbers messages only, and
/// an item names the message (and its seq) it changes; every inbox keeps it in order after that message.
/// </summary>
public sealed partial class ChatActor
{
    public Task<ChatResult<EditOutcome>> EditMessageAsync(ChatEditRequest request) => FencedAsync(ct =>
    {
        if (Encoding.UTF8.GetByteCount(request.Message) > options.Value.MaxMessageBytes)
        {
            return Task.FromResult<ChatResult<EditOutcome>>(new ChatError(ErrorCodes.MessageTooLarge,
                $"a message has at most {options.Value.MaxMessageBytes} UTF-8 bytes"));
        }
        return ResultOf(ChangeMessageAsync(request.UserId, request.ClientId, request.MessageId,
            (record, now) => MessageRules.Edit(record, request.UserId, request.Message, now),
            (record, now) => new InboxEntry(MessageChangeFrameTypes.MessageEdited, null, null, now, Activity.Current?.Id,
                Edited: new MessageEditedPayload(ChatId, record.MessageId, record.Seq, request.UserId, request.Message, now)),
            ct));
    });

    public Task<ChatResult<DeleteOutcome>> DeleteMessageAsync(ChatDeleteRequest request) => FencedAsync(async ct =>
    {
        var (result, record) = await ChangeMessageAsync(request.UserId, request.ClientId, request.MessageId,
            (record, now) => MessageRules.Delete(record, request.UserId, now),
            (record, now) => new InboxEntry(MessageChangeFrameTypes.MessageDeleted, null, null, now, Activity.Current?.Id,
                Deleted: new MessageDeletedPayload(ChatId, record.MessageId, record.Seq, request.UserId, now)),
            ct);
        if (result.Error is null && record is { AttachmentIds.Count: > 0 })
        {
            // After the commit: were the process to die before this line, the client's retry (idempotent, it finds the
            // record deleted) releases them. Released first, a failed commit would leave a visible message whose
            // attachments its members may no longer fetch.
            await attachments.ReleaseAsync(ChatId, record.MessageId, record.AttachmentIds, ct);
        }
        return result;
    });

    public Task<ChatResult<ReactionOutcome>> ReactAsync(ChatReactRequest request) => FencedAsync(ct =>
        ResultOf(ChangeMessageAsync(request.UserId, request.ClientId, request.MessageId,
            (record, _) => MessageRules.React(record, request.UserId, request.Emoji),
            (record, now) => new InboxEntry(MessageChangeFrameTypes.Reaction, null, null, now, Activity.Current?.Id,
                Reaction: new ReactionPayload(ChatId, record.MessageId, record.Seq, request.UserId, request.Emoji, now)),
            ct)));

    private static async Task<ChatResult<T>> ResultOf<T>(Task<(ChatResult<T> Result, MessageRecord? Record)> change) where T : class =>
        (await change).Result;

    /// <summary>
    /// Membership first (a non-member learns nothing about which message ids exist), then the rule on the stored record,
    /// then one fenced commit of the new record and an item to every member device except the calling one. Returns the
    /// answer and the record it was decided on.
    /// </summary>
    private async Task<(ChatResult<T> Result, MessageRecord? Record)> ChangeMessageAsync<T>(
        string userId, string clientId, string messageId,
        Func<MessageRecord?, DateTimeOffset, MessageChange<T>> decide,
        Func<MessageRecord, long, InboxEntry> item,
        CancellationToken ct) where T : class
    {
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return (new ChatError(ErrorCodes.UnknownChat, "no such chat"), null);
        }
        if (!chat.IsMember(userId))
        {
            return (new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat"), null);
        }
        var key = MessageRecord.Key(ChatId, messageId);
        var (record, _) = await dapr.ReadAsync<MessageRecord>(key, ct);
        var now = time.GetUtcNow();
        var ttl = record?.RemainingTtl(now);
        if (ttl is null)
        {
            record = null; // past its 30 days: the store drops it any moment, so it is gone already
        }
        var change = decide(record, now);
        if (change.Updated is not { } updated)
        {
            return (change.Result, record);
        }
        var entry = item(record!, now.ToUnixTimeMilliseconds());
        var caller = new DeviceAddress(userId, clientId);
        FanOutAppend fanOut;
        try
        {
            fanOut = (await AppendAsync(chat, chat, chat.Members, caller, entry, [], (_, _) =>
                Task.FromResult<IReadOnlyList<StateTransactionRequest>?>([NatterState.Put(key, JsonSerializer.SerializeToUtf8Bytes(updated, NatterJson.Options), ttl)]), ct))!;
        }
        catch (AppendTooLargeException e)
        {
            // An edit's new text fans out like a message, under the same limit; nothing was written.
            return (new ChatError(ErrorCodes.MessageTooLarge,
                $"a message to {e.Devices} devices has at most about {e.MaxEntryBytes / 1024} KiB stored (escaping included)"), record);
        }
        deliveries.Enqueue(fanOut, entry);
        return (change.Result, record);
    }

    /// <summary>The quote a reply carries, or the FAILURE when replyTo names no visible message of this chat.</summary>
    private async Task<(ReplyQuote? Quote, ChatError? Refusal)> QuoteAsync(string? replyTo, CancellationToken ct)
    {
        if (replyTo is null)
        {
            return (null, null);
        }
        var (record, _) = await dapr.ReadAsync<MessageRecord>(MessageRecord.Key(ChatId, replyTo), ct);
        return MessageRules.Quote(record?.RemainingTtl(time.GetUtcNow()) is null ? null : record);
    }

    /// <summary>The send's message record: one more operation in the send's transaction, no extra round trip.</summary>
    private static StateTransactionRequest RecordSent(MessagePayload payload) =>
        NatterState.Put(MessageRecord.Key(payload.ChatId, payload.MessageId),
            JsonSerializer.SerializeToUtf8Bytes(MessageRecord.ForSent(payload), NatterJson.Options), NatterState.RetentionTtl);
}
