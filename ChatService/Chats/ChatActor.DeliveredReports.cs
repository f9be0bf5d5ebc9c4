using Dapr.Client;
using Natter.ChatService.Delivery;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ChatService.Chats;

/// <summary>
/// Delivered reports in bulk: a gateway's acknowledgement flush reports every member of a chat it acked for in one
/// call. The turn moves each member's mark exactly as <see cref="ReceiptAsync"/> would, then tells each group of senders
/// in one append of all their receipt items and one publish: a 100-member group message costs the chat a turn per
/// gateway and its sender's devices one append, where it cost 99 turns and 99 appends. The acked inbox entries the
/// report names are deleted in the same commit: the marks, the receipts and the deletes happen together or not at all.
/// </summary>
public sealed partial class ChatActor
{
    /// <summary>As many as one gateway's ack commit holds (Acknowledgements.MaxEntriesPerCommit).</summary>
    public const int MaxAckedEntries = 1_000;

    private sealed record MarkMove(string Member, string Key, MemberReceipts Before, MemberReceipts After);

    public Task<ChatResult<DeliveredOutcome>> ReportDeliveredAsync(ChatDeliveredRequest request) => FencedAsync<ChatResult<DeliveredOutcome>>(async ct =>
    {
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        var highest = request.Marks
            .GroupBy(m => m.UserId, StringComparer.Ordinal)
            .Select(g => new DeliveredMark(g.Key, g.Max(m => m.Seq)))
            .ToList();
        if (highest.Count > ChatDocument.MaxParticipants)
        {
            return new ChatError(ErrorCodes.InvalidField, $"a chat has at most {ChatDocument.MaxParticipants} members to report for");
        }
        if (request.Acked?.Sum(a => a.Entries.Count) > MaxAckedEntries)
        {
            return new ChatError(ErrorCodes.InvalidField, $"a report deletes at most {MaxAckedEntries} acked entries");
        }
        // The acks are real whatever the marks do (a repeat, a member removed since): their entries go in any case.
        IReadOnlyList<StateTransactionRequest> deletes =
            [.. DeviceInbox.AcknowledgeOperations((request.Acked ?? []).Select(a => (new DeviceAddress(a.UserId, a.ClientId), a.Entries)))];
        // A member removed since the message was sent, or a seq the chat never had: nothing to record for them.
        var reported = highest.Where(m => Refuse(chat, m.UserId, m.Seq) is null).ToList();
        await LoadMarksAsync([.. reported.Select(m => MemberReceipts.Key(ChatId, m.UserId))], ct);
        var now = Now();
        var moves = new List<MarkMove>(reported.Count);
        foreach (var mark in reported)
        {
            var key = MemberReceipts.Key(ChatId, mark.UserId);
            if (ReceiptRules.Advance(_marks[key], ReceiptStatus.Delivered, mark.Seq, now) is { } after)
            {
                moves.Add(new MarkMove(mark.UserId, key, _marks[key], after));
            }
        }
        if (moves.Count > 0)
        {
            await CommitDeliveredAsync(chat, moves, deletes, ct);
            foreach (var move in moves)
            {
                _marks[move.Key] = move.After;
            }
        }
        else if (deletes.Count > 0)
        {
            await dapr.CommitAsync(deletes, ct);
        }
        return new DeliveredOutcome(moves.Count, highest.Count - reported.Count, AckedDeleted: true);
    });

    /// <summary>The marks of members this activation has not held yet, in one bulk read.</summary>
    private async Task LoadMarksAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        var missing = keys.Where(k => !_marks.ContainsKey(k)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        foreach (var (key, (value, _)) in await dapr.ReadManyAsync<MemberReceipts>(missing, ct))
        {
            _marks[key] = value ?? MemberReceipts.None;
        }
    }

    /// <summary>The moves' notices: a delivered move never tells of reads, so shared read receipts do not matter here.</summary>
    private Task CommitDeliveredAsync(ChatDocument chat, IReadOnlyList<MarkMove> moves, IReadOnlyList<StateTransactionRequest> also, CancellationToken ct)
    {
        var lastSent = chat.LastSent ?? new Dictionary<string, long>();
        return CommitMovesAsync([.. moves.Select(m => (m, ReceiptRules.Notices(m.Member, m.Before, m.After, lastSent, chat.Members, _ => false)))], also, ct);
    }

    /// <summary>
    /// Commits members' moved marks and tells the senders: one append per distinct set of senders, carrying one receipt
    /// item per notice, and every member's new marks (etag-guarded, checked against the stored ones) with the last
    /// append. A crash before that commit leaves the marks where they were, so the retried report (an ack not yet
    /// deleted, a markRead answered unavailable) appends again: a sender may see a receipt twice, never none. Also is
    /// committed with the marks (the report's acked entries).
    /// </summary>
    private async Task CommitMovesAsync(
        IReadOnlyList<(MarkMove Move, IReadOnlyList<ReceiptNotice> Notices)> moves, IReadOnlyList<StateTransactionRequest> also, CancellationToken ct)
    {
        var keys = moves.Select(m => m.Move.Key).ToList();
        IReadOnlyList<StateTransactionRequest> CommitMarks(IReadOnlyDictionary<string, (string? Json, string? ETag)> read) =>
            [.. moves.Select(m => MarkCommit(m.Move.Key, m.Move.Before, m.Move.After, read[m.Move.Key])), .. also];

        var bySenders = moves
            .SelectMany(m => m.Notices.Select(notice => (m.Move.Member, Notice: notice)))
            .GroupBy(x => string.Join('\n', x.Notice.Senders.Order(StringComparer.Ordinal)), StringComparer.Ordinal)
            .ToList();
        if (bySenders.Count == 0)
        {
            await dapr.CommitAsync(CommitMarks(await dapr.ReadManyRawAsync(keys, ct)), ct);
            return;
        }
        for (var i = 0; i < bySenders.Count; i++)
        {
            var last = i == bySenders.Count - 1;
            var entries = bySenders[i].Select(x => ReceiptEntry(x.Member, x.Notice)).ToList();
            // The senders' registries, their devices' heads and (last) the marks in one read.
            var senders = bySenders[i].First().Notice.Senders;
            var fanOut = await fanOuts.AppendAsync(senders, except: null, LikelyDevices(senders, except: null), entries,
                last ? keys : [], (read, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>?>(last ? CommitMarks(read) : []), ct);
            Remember(senders, fanOut!);
            deliveries.Enqueue(fanOut!, entries, DeliveryPublisher.NoPush); // ticks wake no phone
        }
    }
}
