using Dapr.Actors;
using Natter.Contracts;

namespace Natter.Chats;

/// <summary>
/// One actor per chat owns its membership and its sequence numbers. Dapr runs one turn at a time on exactly one
/// instance, so per-chat seq is strictly increasing and per-chat order equals inbox order. ChatService implements this
/// interface; the gateway and MediaService call it through <see cref="ChatActorClient"/>. The method names are the wire
/// contract (Dapr invokes actor methods by name), so renaming one is a protocol change on both sides at once.
/// </summary>
/// <remarks>
/// No method takes a CancellationToken. Dapr's runtime would hand a trailing one the inbound request's token, but a
/// turn runs under the actor's own deadline (ChatActor.TurnTimeout), not the caller's: once begun, it finishes or fails
/// on its own terms. The caller's token belongs to the client, which takes it as an optional last parameter.
/// </remarks>
public interface IChatActor : IActor
{
    /// <summary>The actor type the chat service registers and every caller addresses.</summary>
    const string TypeName = "ChatActor";

    Task<ChatResult<ChatDescription>> CreateAsync(ChatCreateRequest request);

    Task<ChatResult<AcceptedMessage>> SendAsync(ChatSendRequest request);

    Task<ChatResult<ChatDescription>> ModifyParticipantsAsync(ChatModifyRequest request);

    Task<ChatResult<ChatDescription>> GetAsync(ChatGetRequest request);

    // Edits, deletions and reactions (§10).
    Task<ChatResult<EditOutcome>> EditMessageAsync(ChatEditRequest request);

    Task<ChatResult<DeleteOutcome>> DeleteMessageAsync(ChatDeleteRequest request);

    Task<ChatResult<ReactionOutcome>> ReactAsync(ChatReactRequest request);

    // Receipts (§9).
    Task<ChatResult<ReadOutcome>> ReceiptAsync(ChatReceiptRequest request);

    Task<ChatResult<DeliveredOutcome>> ReportDeliveredAsync(ChatDeliveredRequest request);

    Task<ChatResult<MessageInfo>> GetMessageInfoAsync(ChatMessageInfoRequest request);
}
