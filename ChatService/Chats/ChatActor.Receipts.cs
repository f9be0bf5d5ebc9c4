using System.Diagnostics;
using Dapr.Client;
using Natter.ChatService.Delivery;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ChatService.Chats;

/// <summary>
/// Receipts: the chat's actor owns every member's delivered/read high-water marks (it owns membership and seq, and
/// its turns serialise a member's reports), and appends the coalesced receipt items to the senders' devices.
/// </summary>
public sealed partial class ChatActor
{
    public Task<ChatResult<ReadOutcome>> ReceiptAsync(ChatReceiptRequest request) => FencedAsync<ChatResult<ReadOutcome>>(async ct =>
    {
        var chat = await LoadAsync(ct);
        if (Refuse(chat, request.UserId, request.Seq) is { } refusal)
        {
            return refusal;
        }
        if (request.Status is not (ReceiptStatus.Delivered or ReceiptStatus.Read))
        {
            return new ChatError(ErrorCodes.InvalidField, "status must be delivered or read");
        }
        var key = MemberReceipts.Key(ChatId, request.UserId);
        var before = await MarksAsync(key, ct);
        if (ReceiptRules.Advance(before, request.Status, request.Seq, Now()) is not { } after)
        {
            return new ReadOutcome(before.ReadUpTo); // nothing moved: nobody hears again
        }
        // Settings decide only who hears of reads: a delivered report (most of them, one per acked message) reads none.
        var settings = after.ReadUpTo > before.ReadUpTo
            ? await userSettings.GetManyAsync([request.UserId, .. chat!.LastSent?.Keys ?? []], ct)
            : new Dictionary<string, UserSettings>();
        var notices = ReceiptRules.Notices(request.UserId, before, after, chat!.LastSent ?? new Dictionary<string, long>(),
            chat.Members, user => settings.TryGetValue(user, out var s) ? s.ReadReceipts : UserSettings.Default.ReadReceipts);
        await CommitMovesAsync([(new MarkMove(request.UserId, key, before, after), notices)], [], ct);
        _marks[key] = after;
        return new ReadOutcome(after.ReadUpTo);
    });

    /// <summary>
    /// A member's marks: from the store once per activation, then as this activation last wrote them. Every commit
    /// checks them against the store (<see cref="CommitMovesAsync"/>), so a stale copy (another activation wrote
    /// meanwhile) fails the commit and the turn runs again on what the store holds (FencedAsync drops the copies).
    /// </summary>
    private async Task<MemberReceipts> MarksAsync(string key, CancellationToken ct)
    {
        if (!_marks.TryGetValue(key, out var held))
        {
            held = _marks[key] = (await dapr.ReadAsync<MemberReceipts>(key, ct)).Value ?? MemberReceipts.None;
        }
        return held;
    }

    public Task<ChatResult<MessageInfo>> GetMessageInfoAsync(ChatMessageInfoRequest request) => FencedAsync<ChatResult<MessageInfo>>(async ct =>
    {
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        if (!chat.IsMember(request.UserId))
        {
            return new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat");
        }
        // The message's record (§10) names its sender and seq.
        var (message, _) = await dapr.ReadAsync<Messages.MessageRecord>(Messages.MessageRecord.Key(ChatId, request.MessageId), ct);
        if (message is null)
        {
            return new ChatError(MessageChangeErrorCodes.UnknownMessage, "no such message in this chat (it may have expired)");
        }
        if (message.SenderId != request.UserId)
        {
            // As in WhatsApp: only the sender sees who received and read a message.
            return new ChatError(ErrorCodes.NotAllowed, "only the sender of a message may see its info");
        }
        var others = chat!.Members.Where(m => m != request.UserId).ToList();
        var marks = await dapr.ReadManyAsync<MemberReceipts>([.. others.Select(m => MemberReceipts.Key(ChatId, m))], ct);
        var settings = await userSettings.GetManyAsync([request.UserId, .. others], ct);
        var callerSeesReads = settings[request.UserId].ReadReceipts;
        var members = others.Select(m =>
        {
            var mark = marks[MemberReceipts.Key(ChatId, m)].Value ?? MemberReceipts.None;
            var readVisible = callerSeesReads && settings[m].ReadReceipts;
            return new MemberReceipt(m,
                ReceiptRules.CoveredAt(mark.DeliveredUpTo, mark.Delivered, message.Seq),
                readVisible ? ReceiptRules.CoveredAt(mark.ReadUpTo, mark.Read, message.Seq) : null);
        }).ToList();
        return new MessageInfo(message.MessageId, message.Seq, members);
    });

    /// <summary>Unknown chat, non-member or a seq the chat never had: the refusal of a receipt, else null.</summary>
    private static ChatError? Refuse(ChatDocument? chat, string userId, long seq)
    {
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        if (!chat.IsMember(userId))
        {
            return new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat");
        }
        return seq < 1 || seq >= chat.NextSeq
            ? new ChatError(ErrorCodes.SeqOutOfRange, $"seq must be between 1 and the chat's last seq ({chat.NextSeq - 1})")
            : null;
    }

    /// <summary>
    /// The write of a member's new marks, given the stored marks read in the same attempt as the commit: they must be the
    /// ones the turn decided on, and the etag of that read guards the write. Marks only grow, so equal marks mean nobody
    /// moved them since.
    /// </summary>
    private static StateTransactionRequest MarkCommit(string key, MemberReceipts before, MemberReceipts after, (string? Json, string? ETag) current)
    {
        var stored = NatterState.Parse<MemberReceipts>(current.Json) ?? MemberReceipts.None;
        return (stored.DeliveredUpTo, stored.ReadUpTo) == (before.DeliveredUpTo, before.ReadUpTo)
            ? NatterState.Upsert(key, after, current.ETag)
            : throw new StaleChatException();
    }

    /// <summary>The receipt item telling the notice's senders that member reached its status.</summary>
    private InboxEntry ReceiptEntry(string member, ReceiptNotice notice)
    {
        var payload = new ReceiptPayload(ChatId, member, notice.Status, notice.UpToSeq, Now());
        return new InboxEntry(InboxEntryKinds.Receipt, null, null, payload.Timestamp, Activity.Current?.Id, Receipt: payload);
    }
}
