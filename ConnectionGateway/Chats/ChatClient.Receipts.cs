using Dapr.Actors;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Chats;

/// <summary>Receipts and message info (§9), answered by the chat's actor, which owns the members' marks.</summary>
public sealed partial class ChatClient
{
    public Task<ChatReceiptResult> ReceiptAsync(string chatId, ChatReceiptRequest request, CancellationToken ct) =>
        CallReceiptsAsync(chatId, ChatReceiptActorNames.Receipt, request, ct);

    public Task<ChatReceiptResult> MessageInfoAsync(string chatId, ChatMessageInfoRequest request, CancellationToken ct) =>
        CallReceiptsAsync(chatId, ChatReceiptActorNames.MessageInfo, request, ct);

    private Task<ChatReceiptResult> CallReceiptsAsync<TRequest>(string chatId, string method, TRequest request, CancellationToken ct) =>
        proxies.Create(new ActorId(chatId), ChatActorNames.ActorType).InvokeMethodAsync<TRequest, ChatReceiptResult>(method, request, ct);
}
