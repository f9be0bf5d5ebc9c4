using Dapr.Actors.Client;
using Natter.Chats;
using Natter.Contracts;

namespace Natter.MediaService.Attachments;

/// <summary>Whether a user is a member of a chat now. ChatService's chat actor owns membership; MediaService only asks.</summary>
public interface IChatMembership
{
    Task<bool> IsMemberAsync(string chatId, string userId, CancellationToken cancellationToken);
}

/// <summary>Asks the chat's actor (IChatActor.GetAsync) through MediaService's own sidecar, as the gateway does.</summary>
public sealed class ChatActorMembership(IActorProxyFactory proxies) : IChatMembership
{
    public async Task<bool> IsMemberAsync(string chatId, string userId, CancellationToken cancellationToken)
    {
        var chat = new ChatActorClient(proxies, chatId);
        ChatResult<ChatDescription> answer;
        try
        {
            answer = await chat.GetAsync(new ChatGetRequest(userId), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ChatMembershipUnavailableException(chatId, e);
        }
        // not_a_member and unknown_chat both mean no; any success means the user is in the chat now.
        return answer.Error is null;
    }
}

/// <summary>The chat service could not be asked: the read is answered 503 retry_later, never allowed blind.</summary>
public sealed class ChatMembershipUnavailableException(string chatId, Exception inner)
    : Exception($"Membership of chat {chatId} could not be checked.", inner);
