using Dapr.Client;
using Natter.ConnectionGateway.Chats;
using Natter.Contracts;
using Natter.Inbox;
using Natter.Media;
using Natter.State;

namespace Natter.ConnectionGateway.Connections;

/// <summary>Who is on the other end of a socket, from the validated JWT.</summary>
public sealed record ClientIdentity(string UserId, string ClientId)
{
    public DeviceAddress Device => new(UserId, ClientId);
}

/// <summary>Validates a command and runs it; returns the result or error frame to send back. Never throws on input.</summary>
public sealed class CommandDispatcher(
    ChatClient chats, MediaApiClient media, DaprClient dapr, DeviceRegistryStore devices, ConnectionRegistry connections,
    ILogger<CommandDispatcher> logger)
{
    private const int MaxIdLength = 128;
    private const int MaxNameLength = 200;
    private const int MaxContentTypeLength = 255;

    public async Task<object> DispatchAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        try
        {
            return frame.Type switch
            {
                FrameTypes.CreateChat => await CreateChatAsync(who, frame, ct),
                FrameTypes.SendMessage => await SendMessageAsync(who, frame, ct),
                FrameTypes.ModifyChatParticipants => await ModifyAsync(who, frame, ct),
                FrameTypes.GetChat => await GetChatAsync(who, frame, ct),
                FrameTypes.ListChats => await ListChatsAsync(who, frame, ct),
                FrameTypes.DeactivateClient => await DeactivateAsync(who, frame, ct),
                FrameTypes.CreateAttachment => await CreateAttachmentAsync(who, frame, ct),
                _ => new ErrorFrame(frame.RequestId, ErrorCodes.UnknownCommand, $"unknown command '{Truncate(frame.Type)}'"),
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The outcome is unknown: the call may have committed before it failed (a lost reply), so this is never a
            // FAILURE, which promises nothing was stored. A resend with the same clientMessageId tells which.
            logger.LogWarning(e, "{Command} failed for device {Device}", frame.Type, who.Device);
            return new ErrorFrame(frame.RequestId, ErrorCodes.Unavailable, frame.Type == FrameTypes.SendMessage
                ? "the outcome is unknown; send it again with the same clientMessageId"
                : "the service is unavailable; try again");
        }
    }

    private async Task<object> CreateChatAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<CreateChatCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (command!.Participants is null || command.Participants.Any(p => !IsId(p)))
        {
            return FrameReader.Invalid(frame, "participants must be an array of user ids");
        }
        if (command.Name is { Length: > MaxNameLength })
        {
            return FrameReader.Invalid(frame, $"name has at most {MaxNameLength} characters");
        }
        var chatId = Guid.CreateVersion7().ToString();
        var result = await chats.CreateAsync(chatId, new ChatCreateRequest(who.UserId, command.Participants, command.Name), ct);
        return result.Error is not null
            ? new ErrorFrame(frame.RequestId, result.Error, result.ErrorMessage ?? result.Error)
            : new CreateChatResult(frame.RequestId, result.ChatId!, result.Participants!);
    }

    private async Task<object> SendMessageAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<SendMessageCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!IsId(command!.ChatId))
        {
            return FrameReader.Invalid(frame, "chatId must be a chat id");
        }
        if (command.Message is null)
        {
            return FrameReader.Invalid(frame, "message must be a string");
        }
        if (command.Attachments is not null && command.Attachments.Any(a => !IsId(a)))
        {
            return FrameReader.Invalid(frame, "attachments must be an array of attachment ids");
        }
        if (command.ClientMessageId is not null && !IsId(command.ClientMessageId))
        {
            return FrameReader.Invalid(frame, $"clientMessageId has 1 to {MaxIdLength} characters");
        }
        var result = await chats.SendAsync(command.ChatId!,
            new ChatSendRequest(who.UserId, who.ClientId, command.Message, command.Attachments ?? [], command.ClientMessageId), ct);
        return result.Error is not null
            ? new SendMessageResult(frame.RequestId, SendStatus.Failure, null, null, null, result.Error, result.ErrorMessage)
            : new SendMessageResult(frame.RequestId, SendStatus.Success, result.MessageId, result.Seq, result.Timestamp, null, null);
    }

    private async Task<object> ModifyAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<ModifyChatParticipantsCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!IsId(command!.ChatId) || !IsId(command.UserId))
        {
            return FrameReader.Invalid(frame, "chatId and userId are required");
        }
        if (command.Operation is not (ParticipantOperations.Add or ParticipantOperations.Remove))
        {
            return FrameReader.Invalid(frame, "operation must be ADD or REMOVE");
        }
        var result = await chats.ModifyAsync(command.ChatId!, new ChatModifyRequest(who.UserId, command.UserId!, command.Operation), ct);
        return result.Error is not null
            ? new ErrorFrame(frame.RequestId, result.Error, result.ErrorMessage ?? result.Error)
            : new ModifyChatParticipantsResult(frame.RequestId, result.ChatId!, result.Participants!);
    }

    private async Task<object> GetChatAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<GetChatCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!IsId(command!.ChatId))
        {
            return FrameReader.Invalid(frame, "chatId is required");
        }
        var result = await chats.GetAsync(command.ChatId!, new ChatGetRequest(who.UserId), ct);
        return result.Error is not null
            ? new ErrorFrame(frame.RequestId, result.Error, result.ErrorMessage ?? result.Error)
            : new GetChatResult(frame.RequestId, result.ChatId!, result.Name, result.Creator!, result.Participants!, result.Seq ?? 0);
    }

    private async Task<object> ListChatsAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (index, _) = await dapr.ReadAsync<ChatIndex>(StateKeys.ChatIndex(who.UserId), ct);
        return new ListChatsResult(frame.RequestId, index?.Chats ?? []);
    }

    private async Task<object> DeactivateAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<DeactivateClientCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!IsId(command!.ClientId))
        {
            return FrameReader.Invalid(frame, "clientId is required");
        }
        var target = new DeviceAddress(who.UserId, command.ClientId!);
        if (!await devices.DeactivateAsync(target, ct))
        {
            return new ErrorFrame(frame.RequestId, ErrorCodes.UnknownClient, "no such active client of yours");
        }
        if (command.ClientId != who.ClientId)
        {
            // A socket of that device on this instance ends now (4003); one on another gateway ends at its next upkeep
            // tick, when it finds the device no longer registered. The calling socket closes after this answer.
            connections.CloseIfConnected(target, "client deactivated");
        }
        return new DeactivateClientResult(frame.RequestId, command.ClientId!);
    }

    /// <summary>Registers the attachment with MediaService; the client then uploads the bytes there, never through here.</summary>
    private async Task<object> CreateAttachmentAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<CreateAttachmentCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (command!.Hash is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigit))
        {
            return FrameReader.Invalid(frame, "hash must be the content's SHA-256 as 64 hex characters");
        }
        if (command.Size is not > 0)
        {
            return FrameReader.Invalid(frame, "size must be a positive number of bytes");
        }
        if (command.ContentType is not { Length: > 0 and <= MaxContentTypeLength } contentType || !contentType.Contains('/'))
        {
            return FrameReader.Invalid(frame, "contentType must be a media type such as image/jpeg");
        }
        var result = await media.CreateAttachmentAsync(new CreateAttachmentRequest(hash, command.Size.Value, contentType, who.UserId), ct);
        if (result.Error is { } refused)
        {
            var code = refused.Code == MediaErrorCodes.TooLarge ? ErrorCodes.AttachmentTooLarge : ErrorCodes.InvalidField;
            return new ErrorFrame(frame.RequestId, code, refused.Message);
        }
        var created = result.Value!;
        return new CreateAttachmentResult(frame.RequestId, created.AttachmentId, created.UploadUrl, created.AlreadyUploaded, created.ExpiresAt);
    }

    private static bool IsId(string? value) => !string.IsNullOrWhiteSpace(value) && value.Length <= MaxIdLength;

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];
}
