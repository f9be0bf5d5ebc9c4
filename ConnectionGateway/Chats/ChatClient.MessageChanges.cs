using Dapr.Actors;
using Dapr.Actors.Client;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Chats;

/// <summary>Edits, deletions and reactions (§10): decided by the chat's actor, like everything about a chat.</summary>
public sealed partial class ChatClient
{
    public Task<MessageChangeResult> EditAsync(string chatId, ChatEditRequest request, CancellationToken ct) =>
        ChangeAsync(chatId, MessageChangeActorNames.Edit, request, ct);

    public Task<MessageChangeResult> DeleteAsync(string chatId, ChatDeleteRequest request, CancellationToken ct) =>
        ChangeAsync(chatId, MessageChangeActorNames.Delete, request, ct);

    public Task<MessageChangeResult> ReactAsync(string chatId, ChatReactRequest request, CancellationToken ct) =>
        ChangeAsync(chatId, MessageChangeActorNames.React, request, ct);

    private Task<MessageChangeResult> ChangeAsync<TRequest>(string chatId, string method, TRequest request, CancellationToken ct)
    {
        var proxy = proxies.Create(new ActorId(chatId), ChatActorNames.ActorType);
        return proxy.InvokeMethodAsync<TRequest, MessageChangeResult>(method, request, ct);
    }
}
