using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// Binds editMessage, deleteMessage and react (§10) and checks their fields, as <see cref="CommandBinder"/> does for
/// the others. A message id is only ever issued by the server (a Guid, like a chat id), so anything else can never
/// name a message and never reaches a state key. Whether the emoji is one emoji is the chat's rule (it answers
/// invalid_emoji); here it only has to be a short string or null. Pure.
/// </summary>
public static class MessageChangeBinder
{
    private const string MessageIdForm = "messageId must be a message id as issued by sendMessage (a GUID)";

    public static (EditMessageCommand? Command, ErrorFrame? Error) EditMessage(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<EditMessageCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (Ids(frame, command!.ChatId, command.MessageId) is { } refused)
        {
            return (null, refused);
        }
        return command.Message is null ? (null, FrameReader.Invalid(frame, "message must be a string")) : (command, null);
    }

    public static (DeleteMessageCommand? Command, ErrorFrame? Error) DeleteMessage(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<DeleteMessageCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        return Ids(frame, command!.ChatId, command.MessageId) is { } refused ? (null, refused) : (command, null);
    }

    public static (ReactCommand? Command, ErrorFrame? Error) React(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<ReactCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (Ids(frame, command!.ChatId, command.MessageId) is { } refused)
        {
            return (null, refused);
        }
        // An explicit null removes the reaction; a missing emoji is a mistake, not a removal.
        if (!frame.Root.TryGetProperty("emoji", out _))
        {
            return (null, FrameReader.Invalid(frame, "emoji must be one emoji, or null to remove your reaction"));
        }
        return (command, null);
    }

    /// <summary>replyTo of sendMessage: absent, or a message id.</summary>
    public static ErrorFrame? ReplyTo(ParsedFrame frame, string? replyTo) =>
        replyTo is null || CommandBinder.IsChatId(replyTo) ? null : FrameReader.Invalid(frame, "replyTo must be a message id as issued by sendMessage (a GUID)");

    private static ErrorFrame? Ids(ParsedFrame frame, string? chatId, string? messageId) =>
        !CommandBinder.IsChatId(chatId) ? FrameReader.Invalid(frame, "chatId must be a chat id as issued by createChat (a GUID)")
        : !CommandBinder.IsChatId(messageId) ? FrameReader.Invalid(frame, MessageIdForm)
        : null;
}
