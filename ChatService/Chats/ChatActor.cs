using System.Diagnostics;
using System.Text;
using Dapr.Actors.Runtime;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Natter.ChatService.Attachments;
using Natter.ChatService.Delivery;
using Natter.ChatService.Devices;
using Natter.ChatService.Inbox;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Chats;

/// <summary>
/// The chat: membership, sequence numbers, and the durable fan-out of every message and membership change.
/// A call returns success only after the per-device inbox entries are committed.
/// </summary>
public sealed class ChatActor(
    ActorHost host,
    DaprClient dapr,
    InboxWriter inbox,
    DeliveryPublisher deliveries,
    DeviceDirectory devices,
    ChatIndexWrites indexes,
    MessageAttachments attachments,
    TimeProvider time,
    IOptions<ChatOptions> options) : Actor(host), IChatActor
{
    // A turn never waits forever on the store; the gateway turns the failure into an "unavailable" answer.
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(20);

    private ChatDocument? _chat;
    private bool _loaded;

    private string ChatId => Id.GetId();

    public async Task<ChatCallResult> CreateAsync(ChatCreateRequest request)
    {
        using var cts = new CancellationTokenSource(TurnTimeout);
        var existing = await LoadAsync(cts.Token);
        if (existing is not null)
        {
            // The gateway picks chat ids, so an existing chat here is a retry of the same create.
            return existing.Creator == request.CreatorUserId
                ? Describe(existing)
                : ChatCallResult.Fail(ErrorCodes.NotAllowed, "chat id already taken");
        }
        if (ChatRules.InitialMembers(request.CreatorUserId, request.Participants) is not { } members)
        {
            return ChatCallResult.Fail(ErrorCodes.TooManyParticipants,
                $"a chat has at most {ChatDocument.MaxParticipants} participants, creator included");
        }
        var chat = new ChatDocument(ChatId, request.Name, request.CreatorUserId, members, NextSeq: 1, Now());
        await CommitMembershipAsync(chat, members, ct => indexes.JoinAsync(members, new ChatSummary(ChatId, chat.Name), ct), cts.Token);
        return Describe(chat);
    }

    public async Task<ChatCallResult> SendAsync(ChatSendRequest request)
    {
        var started = time.GetTimestamp();
        using var activity = ChatTelemetry.Source.StartActivity("chat.send");
        activity?.SetTag("natter.chat.id", ChatId);
        using var cts = new CancellationTokenSource(TurnTimeout);
        var chat = await LoadAsync(cts.Token);
        if (chat is null)
        {
            return ChatCallResult.Fail(ErrorCodes.UnknownChat, "no such chat");
        }
        if (!chat.IsMember(request.UserId))
        {
            return ChatCallResult.Fail(ErrorCodes.NotAMember, "you are not a participant of this chat");
        }
        if (Encoding.UTF8.GetByteCount(request.Message) > options.Value.MaxMessageBytes)
        {
            return ChatCallResult.Fail(ErrorCodes.MessageTooLarge, $"a message has at most {options.Value.MaxMessageBytes} UTF-8 bytes");
        }
        if (request.Attachments.Count > ChatOptions.MaxAttachments)
        {
            return ChatCallResult.Fail(ErrorCodes.TooManyAttachments, $"a message has at most {ChatOptions.MaxAttachments} attachments");
        }

        string? dedupeKey = null;
        if (!string.IsNullOrEmpty(request.ClientMessageId))
        {
            dedupeKey = StateKeys.Dedupe(request.ClientId, request.ClientMessageId);
            var (earlier, _) = await dapr.ReadAsync<DedupeRecord>(dedupeKey, cts.Token);
            if (earlier is not null)
            {
                activity?.SetTag("natter.chat.resend", true);
                return Accepted(earlier.MessageId, earlier.Seq, earlier.Timestamp);
            }
        }

        var now = time.GetUtcNow();
        var messageId = Guid.CreateVersion7(now).ToString();
        var (shared, refusal) = await attachments.ShareAsync(ChatId, messageId, request.UserId, request.Attachments, chat.Members, cts.Token);
        if (refusal is not null)
        {
            return refusal;
        }
        var payload = new MessagePayload(ChatId, messageId, chat.NextSeq, request.UserId,
            request.Message, shared, now.ToUnixTimeMilliseconds());
        var entry = new InboxEntry(InboxEntryKinds.NewMessage, payload, null, payload.Timestamp, Activity.Current?.Id);
        var updated = chat with { NextSeq = chat.NextSeq + 1 };
        // Every device of every member except the sending one: the sender's other devices get their copy too.
        var recipients = (await devices.ActiveClientsAsync(chat.Members, cts.Token))
            .Where(c => c != request.ClientId).ToList();
        // The chat's new seq, the entries and the dedupe record commit together: a crash leaves all or nothing.
        var slots = await inbox.AppendAsync(recipients, entry, _ => Task.FromResult<IReadOnlyList<StateTransactionRequest>>(
        [
            NatterState.Upsert(StateKeys.Chat(ChatId), updated),
            .. dedupeKey is null ? [] : new[]
            {
                NatterState.Upsert(dedupeKey, new DedupeRecord(payload.MessageId, payload.Seq, payload.Timestamp),
                    metadata: NatterState.RetentionTtl),
            },
        ]), cts.Token);
        _chat = updated;
        ChatTelemetry.MessagesAccepted.Add(1);
        await deliveries.PublishAsync(slots, entry, cts.Token);
        ChatTelemetry.SendDuration.Record(time.GetElapsedTime(started).TotalMilliseconds);
        return Accepted(payload.MessageId, payload.Seq, payload.Timestamp);
    }

    public async Task<ChatCallResult> ModifyParticipantsAsync(ChatModifyRequest request)
    {
        using var cts = new CancellationTokenSource(TurnTimeout);
        var chat = await LoadAsync(cts.Token);
        if (chat is null)
        {
            return ChatCallResult.Fail(ErrorCodes.UnknownChat, "no such chat");
        }
        var (members, error, message) = ChatRules.Modify(chat, request.UserId, request.TargetUserId, request.Operation);
        if (members is null)
        {
            return ChatCallResult.Fail(error!, message!);
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
            : indexes.LeaveAsync(target, ChatId, ct), cts.Token);
        return Describe(updated);
    }

    public async Task<ChatCallResult> GetAsync(ChatGetRequest request)
    {
        using var cts = new CancellationTokenSource(TurnTimeout);
        var chat = await LoadAsync(cts.Token);
        if (chat is null)
        {
            return ChatCallResult.Fail(ErrorCodes.UnknownChat, "no such chat");
        }
        return chat.IsMember(request.UserId)
            ? Describe(chat)
            : ChatCallResult.Fail(ErrorCodes.NotAMember, "you are not a participant of this chat");
    }

    /// <summary>Writes the chat, the index changes and a chatUpdate to every affected device in one transaction.</summary>
    private async Task CommitMembershipAsync(
        ChatDocument chat, IReadOnlyCollection<string> notify,
        Func<CancellationToken, Task<IReadOnlyList<StateTransactionRequest>>> indexChanges, CancellationToken ct)
    {
        var update = new ChatUpdatePayload(ChatId, chat.Members, Now());
        var entry = new InboxEntry(InboxEntryKinds.ChatUpdate, null, update, update.Timestamp, Activity.Current?.Id);
        var recipients = await devices.ActiveClientsAsync(notify, ct);
        var slots = await inbox.AppendAsync(recipients, entry, async token =>
            [NatterState.Upsert(StateKeys.Chat(ChatId), chat), .. await indexChanges(token)], ct);
        _chat = chat;
        await deliveries.PublishAsync(slots, entry, ct);
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

    private static ChatCallResult Accepted(string messageId, long seq, long timestamp) =>
        new(null, null, null, null, null, null, messageId, seq, timestamp);

    private static ChatCallResult Describe(ChatDocument chat) =>
        new(null, null, chat.ChatId, chat.Name, chat.Creator, chat.Members, null, chat.NextSeq - 1, null);
}
