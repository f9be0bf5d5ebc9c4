using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Receipts;

/// <summary>
/// markRead and getMessageInfo (§9). The caller's user id always comes from the token; the chat's
/// actor checks membership, the seq range and who may see a message's info.
/// </summary>
public sealed class ReceiptCommands(ChatClient chats)
{
    public async Task<object> MarkReadAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = Bind<MarkReadCommand>(frame, c => (c.ChatId, c.Seq));
        if (error is not null)
        {
            return error;
        }
        var result = await chats.ReceiptAsync(command!.ChatId!, new ChatReceiptRequest(who.UserId, command.Seq!.Value, ReceiptStatus.Read), ct);
        return result.Value is { } read
            ? new MarkReadResult(frame.RequestId, command.ChatId!, read.ReadUpToSeq)
            : new ErrorFrame(frame.RequestId, result.Error!.Code, result.Error.Message);
    }

    public async Task<object> GetMessageInfoAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<GetMessageInfoCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!CommandBinder.IsChatId(command!.ChatId))
        {
            return FrameReader.Invalid(frame, "chatId must be a chat id as issued by createChat");
        }
        if (!CommandBinder.IsChatId(command.MessageId))
        {
            return FrameReader.Invalid(frame, "messageId must be a message id as issued by sendMessage (a GUID)");
        }
        var result = await chats.MessageInfoAsync(command.ChatId!, new ChatMessageInfoRequest(who.UserId, command.MessageId!), ct);
        return result.Value is { } info
            ? new GetMessageInfoResult(frame.RequestId, command.ChatId!, info.Seq, info.MessageId, info.Members)
            : new ErrorFrame(frame.RequestId, result.Error!.Code, result.Error.Message);
    }

    /// <summary>markRead names a message as chatId and seq: a server-issued chat id and a seq of at least 1.</summary>
    private static (T? Command, ErrorFrame? Error) Bind<T>(ParsedFrame frame, Func<T, (string? ChatId, long? Seq)> fields) where T : class
    {
        var (command, error) = FrameReader.Bind<T>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        var (chatId, seq) = fields(command!);
        if (!CommandBinder.IsChatId(chatId))
        {
            return (null, FrameReader.Invalid(frame, "chatId must be a chat id as issued by createChat"));
        }
        return seq is >= 1 ? (command, null) : (null, FrameReader.Invalid(frame, "seq must be a message's seq (an integer of at least 1)"));
    }
}
