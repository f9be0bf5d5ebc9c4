using Dapr.Actors;
using Natter.Contracts;

namespace Natter.ChatService.Chats;

/// <summary>
/// One actor per chat owns its membership and its sequence numbers. Dapr runs one turn at a time on exactly one
/// instance, so per-chat seq is strictly increasing and per-chat order equals inbox order. The gateway calls these
/// methods by name with JSON bodies (ChatActorNames), so it needs no reference to this interface.
/// </summary>
public interface IChatActor : IActor
{
    Task<ChatCallResult> CreateAsync(ChatCreateRequest request);

    Task<ChatCallResult> SendAsync(ChatSendRequest request);

    Task<ChatCallResult> ModifyParticipantsAsync(ChatModifyRequest request);

    Task<ChatCallResult> GetAsync(ChatGetRequest request);

    // Edits, deletions and reactions (§10).
    Task<MessageChangeResult> EditMessageAsync(ChatEditRequest request);

    Task<MessageChangeResult> DeleteMessageAsync(ChatDeleteRequest request);

    Task<MessageChangeResult> ReactAsync(ChatReactRequest request);

    // Receipts (§9): ChatActor.Receipts.cs
    Task<ChatReceiptResult> ReceiptAsync(ChatReceiptRequest request);

    Task<ChatReceiptResult> GetMessageInfoAsync(ChatMessageInfoRequest request);
}
