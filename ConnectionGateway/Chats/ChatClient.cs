using Dapr.Actors.Client;
using Natter.Chats;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Chats;

/// <summary>
/// Reaches a chat's actor in the chat service through the sidecar (there is no service invocation), with the typed
/// client that MediaService uses too. The gateway names the chat per call; the actor decides everything about it:
/// membership and messages, edits, deletions and reactions (§10), receipts and message info (§9).
/// </summary>
public sealed class ChatClient(IActorProxyFactory proxies)
{
    public Task<ChatResult<ChatDescription>> CreateAsync(string chatId, ChatCreateRequest request, CancellationToken ct) =>
        Chat(chatId).CreateAsync(request, ct);

    public Task<ChatResult<AcceptedMessage>> SendAsync(string chatId, ChatSendRequest request, CancellationToken ct) =>
        Chat(chatId).SendAsync(request, ct);

    public Task<ChatResult<ChatDescription>> ModifyAsync(string chatId, ChatModifyRequest request, CancellationToken ct) =>
        Chat(chatId).ModifyParticipantsAsync(request, ct);

    public Task<ChatResult<ChatDescription>> GetAsync(string chatId, ChatGetRequest request, CancellationToken ct) =>
        Chat(chatId).GetAsync(request, ct);

    public Task<ChatResult<EditOutcome>> EditAsync(string chatId, ChatEditRequest request, CancellationToken ct) =>
        Chat(chatId).EditMessageAsync(request, ct);

    public Task<ChatResult<DeleteOutcome>> DeleteAsync(string chatId, ChatDeleteRequest request, CancellationToken ct) =>
        Chat(chatId).DeleteMessageAsync(request, ct);

    public Task<ChatResult<ReactionOutcome>> ReactAsync(string chatId, ChatReactRequest request, CancellationToken ct) =>
        Chat(chatId).ReactAsync(request, ct);

    public Task<ChatResult<ReadOutcome>> ReceiptAsync(string chatId, ChatReceiptRequest request, CancellationToken ct) =>
        Chat(chatId).ReceiptAsync(request, ct);

    public Task<ChatResult<DeliveredOutcome>> ReportDeliveredAsync(string chatId, ChatDeliveredRequest request, CancellationToken ct) =>
        Chat(chatId).ReportDeliveredAsync(request, ct);

    public Task<ChatResult<MessageInfo>> MessageInfoAsync(string chatId, ChatMessageInfoRequest request, CancellationToken ct) =>
        Chat(chatId).GetMessageInfoAsync(request, ct);

    private ChatActorClient Chat(string chatId) => new(proxies, chatId);
}
