using Dapr.Actors;
using Dapr.Actors.Client;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Chats;

/// <summary>
/// Reaches a chat's actor in the chat service through the sidecar (there is no service invocation). Calls go by method
/// name with JSON bodies, so the gateway shares only the contracts with the chat service, not its actor interface.
/// </summary>
public sealed partial class ChatClient(IActorProxyFactory proxies)
{
    public Task<ChatCallResult> CreateAsync(string chatId, ChatCreateRequest request, CancellationToken ct) =>
        CallAsync(chatId, ChatActorNames.Create, request, ct);

    public Task<ChatCallResult> SendAsync(string chatId, ChatSendRequest request, CancellationToken ct) =>
        CallAsync(chatId, ChatActorNames.Send, request, ct);

    public Task<ChatCallResult> ModifyAsync(string chatId, ChatModifyRequest request, CancellationToken ct) =>
        CallAsync(chatId, ChatActorNames.Modify, request, ct);

    public Task<ChatCallResult> GetAsync(string chatId, ChatGetRequest request, CancellationToken ct) =>
        CallAsync(chatId, ChatActorNames.Get, request, ct);

    private Task<ChatCallResult> CallAsync<TRequest>(string chatId, string method, TRequest request, CancellationToken ct)
    {
        var proxy = proxies.Create(new ActorId(chatId), ChatActorNames.ActorType);
        return proxy.InvokeMethodAsync<TRequest, ChatCallResult>(method, request, ct);
    }
}
