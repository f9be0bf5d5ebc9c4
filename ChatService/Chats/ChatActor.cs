using System.Diagnostics;
using System.Text;
using Dapr.Actors.Runtime;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Natter.ChatService.Attachments;
using Natter.ChatService.Delivery;
using Natter.Chats;
using Natter.Contracts;
using Natter.Inbox;
using Natter.State;

namespace Natter.ChatService.Chats;

/// <summary>
/// The chat: membership, sequence numbers, and the durable fan-out of every message and membership change.
/// A call returns success only after the per-device inbox entries are committed. Every commit is fenced by the chat
/// document's version (see <see cref="ChatDocument"/>), so two activations of one chat can never both commit.
/// </summary>
public sealed partial class ChatActor(
    ActorHost host,
    DaprClient dapr,
    MemberFanOut fanOuts,
    DeliveryPublisher deliveries,
    ChatIndexWrites indexes,
    MessageAttachments attachments,
    TimeProvider time,
    IOptions<ChatOptions> options,
    UserSettingsStore userSettings) : Actor(host), IChatActor // userSettings: receipts (§9)
{
    // A turn never waits forever on the store; the gateway turns the failure into an "unavailable" answer.
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(20);

    // A stale cache is reloaded and the command decided again this many times before the turn gives up.
    private const int StaleRetries = 3;

    private ChatDocument? _chat;
    private bool _loaded;

    // Each user's active devices as the last fan-out to them read from the registries: the next append to them reads
    // their heads in its first read, whichever way it goes (a message to the members, a receipt back to its sender).
    // Only a hint, checked against the registries read alongside; a wrong one costs a second read, never a copy.
    private readonly Dictionary<string, IReadOnlyList<DeviceAddress>> _devicesOf = new(StringComparer.Ordinal);

    // Receipts (§9): each member's marks as this activation last read or wrote them (ChatActor.Receipts.cs).
    private readonly Dictionary<string, MemberReceipts> _marks = new(StringComparer.Ordinal);

    private string ChatId => Id.GetId();

    public Task<ChatResult<ChatDescription>> CreateAsync(ChatCreateRequest request) => FencedAsync<ChatResult<ChatDescription>>(async ct =>
    {
        var existing = await LoadAsync(ct);
        if (existing is not null)
        {
            // The gateway picks chat ids, so an existing chat here is a retry of the same create.
            return existing.Creator == request.CreatorUserId
                ? Describe(existing)
                : new ChatError(ErrorCodes.NotAllowed, "chat id already taken");
        }
        if (ChatRules.InitialMembers(request.CreatorUserId, request.Participants) is not { } members)
        {
            return new ChatError(ErrorCodes.TooManyParticipants,
                $"a chat has at most {ChatDocument.MaxParticipants} participants, creator included");
        }
        var chat = new ChatDocument(ChatId, request.Name, request.CreatorUserId, members, NextSeq: 1, Now());
        await CommitMembershipAsync(chat, members, ct => indexes.JoinAsync(members, new ChatSummary(ChatId, chat.Name), ct), ct);
        return Describe(chat);
    });

    public Task<ChatResult<AcceptedMessage>> SendAsync(ChatSendRequest request) => FencedAsync<ChatResult<AcceptedMessage>>(async ct =>
    {
        var started = time.GetTimestamp();
        using var activity = ChatTelemetry.Source.StartActivity("chat.send");
        activity?.SetTag("natter.chat.id", ChatId);
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        if (!chat.IsMember(request.UserId))
        {
            return new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat");
        }
        if (Encoding.UTF8.GetByteCount(request.Message) > options.Value.MaxMessageBytes)
        {
            return new ChatError(ErrorCodes.MessageTooLarge, $"a message has at most {options.Value.MaxMessageBytes} UTF-8 bytes");
        }
        if (request.Attachments.Count > ChatOptions.MaxAttachments)
        {
            return new ChatError(ErrorCodes.TooManyAttachments, $"a message has at most {ChatOptions.MaxAttachments} attachments");
        }

        var sender = new DeviceAddress(request.UserId, request.ClientId);
        var dedupeKey = string.IsNullOrEmpty(request.ClientMessageId) ? null : DedupeRecord.Key(ChatId, sender, request.ClientMessageId);
        // Attachments are shared with the message (a side effect in MediaService) only when it is not a resend, so a
        // message with attachments checks its dedupe record first; any other checks it in the append's own read.
        if (dedupeKey is not null && request.Attachments.Count > 0 && (await dapr.ReadAsync<DedupeRecord>(dedupeKey, ct)).Value is { } earlier)
        {
            activity?.SetTag("natter.chat.resend", true);
            return Accepted(earlier.MessageId, earlier.Seq, earlier.Timestamp);
        }

        // Replies (§10): the quoted message must be one of this chat's, still there.
        var (quote, quoteRefusal) = await QuoteAsync(request.ReplyTo, ct);
        if (quoteRefusal is not null)
        {
            return quoteRefusal;
        }

        var now = time.GetUtcNow();
        var messageId = Guid.CreateVersion7(now).ToString();
        var (shared, refusal) = await attachments.ShareAsync(ChatId, messageId, request.UserId, request.Attachments, chat.Members, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        var payload = new MessagePayload(ChatId, messageId, chat.NextSeq, request.UserId,
            request.Message, shared, now.ToUnixTimeMilliseconds(), quote);
        var entry = new InboxEntry(InboxEntryKinds.NewMessage, payload, null, payload.Timestamp, Activity.Current?.Id);
        // receipts (§9): who sent last, for the receipt fan-out, in the document this commit writes anyway
        var updated = chat with { NextSeq = chat.NextSeq + 1, LastSent = ReceiptRules.WithSender(chat.LastSent, request.UserId, payload.Seq) };
        // Every device of every member except the sending one: the sender's other devices get their copy too. The
        // chat's new seq, the entries, the message record (§10) and the dedupe record commit together: a crash leaves
        // all or nothing. The dedupe record is read in the same read and written create-only, so two racing resends
        // cannot both store the message.
        DedupeRecord? resent = null;
        FanOutAppend? fanOut;
        try
        {
            fanOut = await AppendAsync(chat, updated, chat.Members, sender, entry, dedupeKey is null ? [] : [dedupeKey], (read, _) =>
            {
                if (dedupeKey is not null && NatterState.Parse<DedupeRecord>(read[dedupeKey].Json) is { } earlier)
                {
                    resent = earlier;
                    return Task.FromResult<IReadOnlyList<StateTransactionRequest>?>(null);
                }
                return Task.FromResult<IReadOnlyList<StateTransactionRequest>?>(dedupeKey is null ? [RecordSent(payload)] :
                [
                    RecordSent(payload),
                    NatterState.Upsert(dedupeKey, new DedupeRecord(payload.MessageId, payload.Seq, payload.Timestamp), etag: null,
                        metadata: NatterState.RetentionTtl),
                ]);
            }, ct);
        }
        catch (AppendTooLargeException e)
        {
            return new ChatError(ErrorCodes.MessageTooLarge,
                $"a message to {e.Devices} devices has at most about {e.MaxEntryBytes / 1024} KiB stored (escaping included)");
        }
        if (fanOut is null)
        {
            activity?.SetTag("natter.chat.resend", true);
            return Accepted(resent!.MessageId, resent.Seq, resent.Timestamp);
        }
        ChatTelemetry.MessagesAccepted.Add(1);
        deliveries.Enqueue(fanOut, entry);
        ChatTelemetry.SendDuration.Record(time.GetElapsedTime(started).TotalMilliseconds);
        return Accepted(payload.MessageId, payload.Seq, payload.Timestamp);
    });

    public Task<ChatResult<ChatDescription>> ModifyParticipantsAsync(ChatModifyRequest request) => FencedAsync<ChatResult<ChatDescription>>(async ct =>
    {
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        var (members, error, message) = ChatRules.Modify(chat, request.UserId, request.TargetUserId, request.Operation);
        if (members is null)
        {
            return new ChatError(error!, message!);
        }
        if (members.Count == chat.Members.Count)
        {
            return Describe(chat); // already so: nothing changes, nobody is notified again
        }
        var updated = chat with { Members = members };
        // Old, new and removed participants all hear about it.
        var affected = chat.Members.Union(members, StringComparer.Ordinal).ToList();
        IReadOnlyList<string> target = [request.TargetUserId];
        await CommitMembershipAsync(updated, affected, ct => request.Operation == ParticipantOperations.Add
            ? indexes.JoinAsync(target, new ChatSummary(ChatId, chat.Name), ct)
            : indexes.LeaveAsync(target, ChatId, ct), ct);
        return Describe(updated);
    });

    public Task<ChatResult<ChatDescription>> GetAsync(ChatGetRequest request) => FencedAsync<ChatResult<ChatDescription>>(async ct =>
    {
        var chat = await LoadAsync(ct);
        if (chat is null)
        {
            return new ChatError(ErrorCodes.UnknownChat, "no such chat");
        }
        return chat.IsMember(request.UserId)
            ? Describe(chat)
            : new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat");
    });

    /// <summary>
    /// Runs a command under the turn's deadline. If the stored chat moved on without this activation (its cache is
    /// stale), the cache is dropped and the command decided again on the stored chat. Any other failure drops the cache
    /// too: after an error the commit may or may not have happened, and only the store knows.
    /// </summary>
    private async Task<T> FencedAsync<T>(Func<CancellationToken, Task<T>> command)
    {
        using var cts = new CancellationTokenSource(TurnTimeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command(cts.Token);
            }
            catch (StaleChatException) when (attempt < StaleRetries)
            {
                Forget();
            }
            catch
            {
                Forget();
                throw;
            }
        }
    }

    /// <summary>Drops what this activation holds; the next turn reads the store.</summary>
    private void Forget()
    {
        _loaded = false;
        _marks.Clear();
    }

    /// <summary>Writes the chat, the index changes and a chatUpdate to every affected device in one transaction.</summary>
    private async Task CommitMembershipAsync(
        ChatDocument chat, IReadOnlyCollection<string> notify,
        Func<CancellationToken, Task<IReadOnlyList<StateTransactionRequest>>> indexChanges, CancellationToken ct)
    {
        var update = new ChatUpdatePayload(ChatId, chat.Members, Now());
        var entry = new InboxEntry(InboxEntryKinds.ChatUpdate, null, update, update.Timestamp, Activity.Current?.Id);
        var fanOut = await AppendAsync(_chat, chat, notify, except: null, entry, [], async (_, token) => await indexChanges(token), ct);
        deliveries.Enqueue(fanOut!, entry);
    }

    /// <summary>
    /// Appends the entry to every active device of the users (but except) and commits the chat document as updated,
    /// fenced: the stored chat read in the same attempt must be the one this activation holds (or absent when creating),
    /// else <see cref="StaleChatException"/>. Null when alsoCommit abandoned the append (nothing was written).
    /// </summary>
    private async Task<FanOutAppend?> AppendAsync(
        ChatDocument? held, ChatDocument updated, IReadOnlyCollection<string> users, DeviceAddress? except, InboxEntry entry,
        IReadOnlyList<string> alsoRead, MemberFanOut.AlsoCommit alsoCommit, CancellationToken ct)
    {
        using var activity = ChatTelemetry.Source.StartActivity("inbox.append");
        var next = updated with { Version = (held?.Version ?? 0) + 1 };
        var chatKey = StateKeys.Chat(ChatId);
        var fanOut = await fanOuts.AppendAsync(users, except, LikelyDevices(users, except), entry, [chatKey, .. alsoRead], async (read, token) =>
        {
            var (json, etag) = read[chatKey];
            var current = NatterState.Parse<ChatDocument>(json);
            if (current?.Version != held?.Version || (current is null) != (held is null))
            {
                throw new StaleChatException();
            }
            return await alsoCommit(read, token) is { } also ? [NatterState.Upsert(chatKey, next, etag), .. also] : null;
        }, ct);
        if (fanOut is not null)
        {
            _chat = next;
            Remember(users, fanOut);
            activity?.SetTag("natter.inbox.devices", fanOut.Slots.Count);
            ChatTelemetry.InboxEntriesWritten.Add(fanOut.Slots.Count);
        }
        return fanOut;
    }

    private IReadOnlyList<DeviceAddress> LikelyDevices(IEnumerable<string> users, DeviceAddress? except) =>
        [.. users.SelectMany(u => _devicesOf.GetValueOrDefault(u) ?? []).Where(d => d != except)];

    private void Remember(IEnumerable<string> users, FanOutAppend fanOut)
    {
        if (_devicesOf.Count > 2 * ChatDocument.MaxParticipants)
        {
            _devicesOf.Clear(); // former members pile up in a long-lived chat with churn; the hint is rebuilt as it goes
        }
        var byUser = fanOut.Registered.ToLookup(d => d.UserId, StringComparer.Ordinal);
        foreach (var user in users)
        {
            _devicesOf[user] = [.. byUser[user]];
        }
    }

    private async Task<ChatDocument?> LoadAsync(CancellationToken ct)
    {
        if (!_loaded)
        {
            (_chat, _) = await dapr.ReadAsync<ChatDocument>(StateKeys.Chat(ChatId), ct);
            _loaded = true;
        }
        return _chat;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static AcceptedMessage Accepted(string messageId, long seq, long timestamp) => new(messageId, seq, timestamp);

    private static ChatDescription Describe(ChatDocument chat) => new(chat.ChatId, chat.Name, chat.Creator, chat.Members, chat.NextSeq - 1);
}
