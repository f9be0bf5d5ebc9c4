using Natter.ConnectionGateway.Chats;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// editMessage, deleteMessage and react (§10): bound, then decided by the chat's actor for the caller's identity from
/// its token (a frame cannot name another sender). Refusals come back as error frames with the actor's code.
/// </summary>
public sealed class MessageChangeCommands(ChatClient chats)
{
    public async Task<object> EditAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = MessageChangeBinder.EditMessage(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.EditAsync(command!.ChatId!,
            new ChatEditRequest(who.UserId, who.ClientId, command.MessageId!, command.Message!), ct);
        return Answer(frame, result, edit => new EditMessageResult(frame.RequestId, command.ChatId!, edit.MessageId, edit.EditedAt));
    }

    public async Task<object> DeleteAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = MessageChangeBinder.DeleteMessage(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.DeleteAsync(command!.ChatId!, new ChatDeleteRequest(who.UserId, who.ClientId, command.MessageId!), ct);
        return Answer(frame, result, deletion => new DeleteMessageResult(frame.RequestId, command.ChatId!, deletion.MessageId, deletion.DeletedAt));
    }

    public async Task<object> ReactAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = MessageChangeBinder.React(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.ReactAsync(command!.ChatId!,
            new ChatReactRequest(who.UserId, who.ClientId, command.MessageId!, command.Emoji), ct);
        return Answer(frame, result, reaction => new ReactResult(frame.RequestId, command.ChatId!, reaction.MessageId, reaction.Emoji));
    }

    private static object Answer<T>(ParsedFrame frame, ChatResult<T> result, Func<T, object> success) where T : class =>
        result.Value is { } outcome ? success(outcome) : new ErrorFrame(frame.RequestId, result.Error!.Code, result.Error.Message);
}
