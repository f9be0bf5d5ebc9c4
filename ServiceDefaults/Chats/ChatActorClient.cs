using Dapr.Actors;
using Dapr.Actors.Client;
using Natter.Contracts;

namespace Natter.Chats;

/// <summary>
/// A typed client for one chat's actor over the SDK's non-remoting proxy (JSON bodies), written as the SDK's
/// [GenerateActorClient] source generator would write it: that generator is not in the Dapr.Actors package and its own
/// package is not available here. Each method sends the actor interface's method name, so the compiler keeps the names
/// in step with <see cref="IChatActor"/>, and takes the caller's CancellationToken as its optional last parameter; the
/// interface's token-less signatures are implemented explicitly by the same calls.
/// </summary>
public sealed class ChatActorClient(ActorProxy actorProxy) : IChatActor
{
    public ChatActorClient(IActorProxyFactory proxies, string chatId)
        : this(proxies.Create(new ActorId(chatId), IChatActor.TypeName))
    {
    }

    public Task<ChatResult<ChatDescription>> CreateAsync(ChatCreateRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatCreateRequest, ChatResult<ChatDescription>>(nameof(IChatActor.CreateAsync), request, cancellationToken);

    public Task<ChatResult<AcceptedMessage>> SendAsync(ChatSendRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatSendRequest, ChatResult<AcceptedMessage>>(nameof(IChatActor.SendAsync), request, cancellationToken);

    public Task<ChatResult<ChatDescription>> ModifyParticipantsAsync(ChatModifyRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatModifyRequest, ChatResult<ChatDescription>>(nameof(IChatActor.ModifyParticipantsAsync), request, cancellationToken);

    public Task<ChatResult<ChatDescription>> GetAsync(ChatGetRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatGetRequest, ChatResult<ChatDescription>>(nameof(IChatActor.GetAsync), request, cancellationToken);

    public Task<ChatResult<EditOutcome>> EditMessageAsync(ChatEditRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatEditRequest, ChatResult<EditOutcome>>(nameof(IChatActor.EditMessageAsync), request, cancellationToken);

    public Task<ChatResult<DeleteOutcome>> DeleteMessageAsync(ChatDeleteRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatDeleteRequest, ChatResult<DeleteOutcome>>(nameof(IChatActor.DeleteMessageAsync), request, cancellationToken);

    public Task<ChatResult<ReactionOutcome>> ReactAsync(ChatReactRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatReactRequest, ChatResult<ReactionOutcome>>(nameof(IChatActor.ReactAsync), request, cancellationToken);

    public Task<ChatResult<ReadOutcome>> ReceiptAsync(ChatReceiptRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatReceiptRequest, ChatResult<ReadOutcome>>(nameof(IChatActor.ReceiptAsync), request, cancellationToken);

    public Task<ChatResult<DeliveredOutcome>> ReportDeliveredAsync(ChatDeliveredRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatDeliveredRequest, ChatResult<DeliveredOutcome>>(nameof(IChatActor.ReportDeliveredAsync), request, cancellationToken);

    public Task<ChatResult<MessageInfo>> GetMessageInfoAsync(ChatMessageInfoRequest request, CancellationToken cancellationToken = default) =>
        actorProxy.InvokeMethodAsync<ChatMessageInfoRequest, ChatResult<MessageInfo>>(nameof(IChatActor.GetMessageInfoAsync), request, cancellationToken);

    Task<ChatResult<ChatDescription>> IChatActor.CreateAsync(ChatCreateRequest request) => CreateAsync(request);

    Task<ChatResult<AcceptedMessage>> IChatActor.SendAsync(ChatSendRequest request) => SendAsync(request);

    Task<ChatResult<ChatDescription>> IChatActor.ModifyParticipantsAsync(ChatModifyRequest request) => ModifyParticipantsAsync(request);

    Task<ChatResult<ChatDescription>> IChatActor.GetAsync(ChatGetRequest request) => GetAsync(request);

    Task<ChatResult<EditOutcome>> IChatActor.EditMessageAsync(ChatEditRequest request) => EditMessageAsync(request);

    Task<ChatResult<DeleteOutcome>> IChatActor.DeleteMessageAsync(ChatDeleteRequest request) => DeleteMessageAsync(request);

    Task<ChatResult<ReactionOutcome>> IChatActor.ReactAsync(ChatReactRequest request) => ReactAsync(request);

    Task<ChatResult<ReadOutcome>> IChatActor.ReceiptAsync(ChatReceiptRequest request) => ReceiptAsync(request);

    Task<ChatResult<DeliveredOutcome>> IChatActor.ReportDeliveredAsync(ChatDeliveredRequest request) => ReportDeliveredAsync(request);

    Task<ChatResult<MessageInfo>> IChatActor.GetMessageInfoAsync(ChatMessageInfoRequest request) => GetMessageInfoAsync(request);
}
