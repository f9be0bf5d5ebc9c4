using System.Net.Http.Headers;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// Binds each client command and checks its fields before anything reaches a backend. Every id a client sends ends up
/// in an actor id, a URL path segment or a state key, so ids are held to forms that are safe in all three: a chat id
/// is the server-issued Guid, every other id is 1 to 128 characters of letters, digits and <c>- _ . ~ : @</c> (never
/// "." or ".."). A malformed value answers invalid_field naming the field, never a retryable "unavailable". Pure.
/// </summary>
public static class CommandBinder
{
    public const int MaxIdLength = 128;
    private const int MaxNameLength = 200;
    private const int MaxContentTypeLength = 255;
    private const string IdForm = "1 to 128 letters, digits or - _ . ~ : @";

    public static (CreateChatCommand? Command, ErrorFrame? Error) CreateChat(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<CreateChatCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (command!.Participants is null || !command.Participants.All(IsId))
        {
            return (null, Refuse(frame, $"participants must be an array of user ids ({IdForm})"));
        }
        if (command.Name is { Length: > MaxNameLength })
        {
            return (null, Refuse(frame, $"name has at most {MaxNameLength} characters"));
        }
        return (command, null);
    }

    public static (SendMessageCommand? Command, ErrorFrame? Error) SendMessage(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<SendMessageCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (!IsChatId(command!.ChatId))
        {
            return (null, Refuse(frame, ChatIdForm));
        }
        if (command.Message is null)
        {
            return (null, Refuse(frame, "message must be a string"));
        }
        if (command.Attachments is not null && !command.Attachments.All(IsId))
        {
            return (null, Refuse(frame, $"attachments must be an array of attachment ids ({IdForm})"));
        }
        if (command.ClientMessageId is not null && !IsId(command.ClientMessageId))
        {
            return (null, Refuse(frame, $"clientMessageId has {IdForm}"));
        }
        // Replies (§10).
        if (MessageChangeBinder.ReplyTo(frame, command.ReplyTo) is { } badReply)
        {
            return (null, badReply);
        }
        return (command, null);
    }

    public static (ModifyChatParticipantsCommand? Command, ErrorFrame? Error) ModifyChatParticipants(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<ModifyChatParticipantsCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (!IsChatId(command!.ChatId))
        {
            return (null, Refuse(frame, ChatIdForm));
        }
        if (!IsId(command.UserId))
        {
            return (null, Refuse(frame, $"userId must be a user id ({IdForm})"));
        }
        if (command.Operation is not (ParticipantOperations.Add or ParticipantOperations.Remove))
        {
            return (null, Refuse(frame, "operation must be ADD or REMOVE"));
        }
        return (command, null);
    }

    public static (GetChatCommand? Command, ErrorFrame? Error) GetChat(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<GetChatCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        return IsChatId(command!.ChatId) ? (command, null) : (null, Refuse(frame, ChatIdForm));
    }

    public static (DeactivateClientCommand? Command, ErrorFrame? Error) DeactivateClient(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<DeactivateClientCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        return IsId(command!.ClientId) ? (command, null) : (null, Refuse(frame, $"clientId must be a client id ({IdForm})"));
    }

    public static (CreateAttachmentCommand? Command, ErrorFrame? Error) CreateAttachment(ParsedFrame frame)
    {
        var (command, error) = FrameReader.Bind<CreateAttachmentCommand>(frame);
        if (error is not null)
        {
            return (null, error);
        }
        if (command!.Hash is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigit))
        {
            return (null, Refuse(frame, "hash must be the content's SHA-256 as 64 hex characters"));
        }
        if (command.Size is not > 0)
        {
            return (null, Refuse(frame, "size must be a positive number of bytes"));
        }
        if (!IsMediaType(command.ContentType))
        {
            return (null, Refuse(frame, "contentType must be a media type such as image/jpeg"));
        }
        return (command, null);
    }

    private const string ChatIdForm = "chatId must be a chat id as issued by createChat (a GUID such as 0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d)";

    /// <summary>Chat ids are only ever issued by the server (Guid version 7): anything else can never name a chat.</summary>
    public static bool IsChatId(string? value) => value is { Length: 36 } && Guid.TryParseExact(value, "D", out _);

    /// <summary>Safe as an actor id, a URL path segment and a part of a "|"-separated state key, unescaped.</summary>
    public static bool IsId(string? value) =>
        value is { Length: > 0 and <= MaxIdLength } and not ("." or "..")
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or ':' or '@');

    // The type goes on to MediaService and back out as a Content-Type header: printable ASCII in type/subtype form only.
    private static bool IsMediaType(string? value) =>
        value is { Length: > 0 and <= MaxContentTypeLength }
        && value.All(c => c is >= ' ' and <= '~')
        && MediaTypeHeaderValue.TryParse(value, out var parsed) && parsed.MediaType?.Contains('/') == true;

    private static ErrorFrame Refuse(ParsedFrame frame, string message) => FrameReader.Invalid(frame, message);
}
