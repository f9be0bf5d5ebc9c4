using Dapr.Client;
using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Live;
using Natter.ConnectionGateway.Receipts;
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

/// <summary>Runs a command that <see cref="CommandBinder"/> has bound and checked; returns the result or error frame to send back. Never throws on input.</summary>
public sealed class CommandDispatcher(
    ChatClient chats, MediaApiClient media, DaprClient dapr, DeviceRegistryStore devices, ConnectionRegistry connections,
    MessageChangeCommands messageChanges, LiveCommands live, Push.PushRegistration push, ReceiptCommands receipts,
    ILogger<CommandDispatcher> logger)
{
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
                // Edits, deletions and reactions (§10).
                MessageChangeFrameTypes.EditMessage => await messageChanges.EditAsync(who, frame, ct),
                MessageChangeFrameTypes.DeleteMessage => await messageChanges.DeleteAsync(who, frame, ct),
                MessageChangeFrameTypes.React => await messageChanges.ReactAsync(who, frame, ct),
                // Typing and presence (§12).
                FrameTypes.Typing => await live.TypingAsync(who, frame, ct),
                FrameTypes.GetPresence => await live.GetPresenceAsync(who, frame, ct),
                FrameTypes.UpdateSettings => await live.UpdateSettingsAsync(who, frame, ct),
                // Push notifications (docs/PROTOCOL.md §11).
                FrameTypes.RegisterPush => await push.RegisterAsync(who, frame, ct),
                // Receipts and settings (§9).
                ReceiptFrameTypes.MarkRead => await receipts.MarkReadAsync(who, frame, ct),
                ReceiptFrameTypes.GetMessageInfo => await receipts.GetMessageInfoAsync(who, frame, ct),
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
        var (command, error) = CommandBinder.CreateChat(frame);
        if (error is not null)
        {
            return error;
        }
        var chatId = Guid.CreateVersion7().ToString();
        var result = await chats.CreateAsync(chatId, new ChatCreateRequest(who.UserId, command!.Participants!, command.Name), ct);
        return result.Error is { } refused
            ? new ErrorFrame(frame.RequestId, refused.Code, refused.Message)
            : new CreateChatResult(frame.RequestId, result.Value!.ChatId, result.Value.Participants);
    }

    private async Task<object> SendMessageAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = CommandBinder.SendMessage(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.SendAsync(command!.ChatId!,
            new ChatSendRequest(who.UserId, who.ClientId, command.Message!, command.Attachments ?? [], command.ClientMessageId,
                command.ReplyTo), ct);
        if (result.Error is { } refused)
        {
            return new SendMessageResult(frame.RequestId, SendStatus.Failure, null, null, null, refused.Code, refused.Message);
        }
        var accepted = result.Value!;
        return new SendMessageResult(frame.RequestId, SendStatus.Success, accepted.MessageId, accepted.Seq, accepted.Timestamp, null, null);
    }

    private async Task<object> ModifyAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = CommandBinder.ModifyChatParticipants(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.ModifyAsync(command!.ChatId!, new ChatModifyRequest(who.UserId, command.UserId!, command.Operation!), ct);
        return result.Error is { } refused
            ? new ErrorFrame(frame.RequestId, refused.Code, refused.Message)
            : new ModifyChatParticipantsResult(frame.RequestId, result.Value!.ChatId, result.Value.Participants);
    }

    private async Task<object> GetChatAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = CommandBinder.GetChat(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await chats.GetAsync(command!.ChatId!, new ChatGetRequest(who.UserId), ct);
        if (result.Error is { } refused)
        {
            return new ErrorFrame(frame.RequestId, refused.Code, refused.Message);
        }
        var chat = result.Value!;
        return new GetChatResult(frame.RequestId, chat.ChatId, chat.Name, chat.Creator, chat.Participants, chat.LastSeq);
    }

    private async Task<object> ListChatsAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (index, _) = await dapr.ReadAsync<ChatIndex>(StateKeys.ChatIndex(who.UserId), ct);
        return new ListChatsResult(frame.RequestId, index?.Chats ?? []);
    }

    private async Task<object> DeactivateAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = CommandBinder.DeactivateClient(frame);
        if (error is not null)
        {
            return error;
        }
        var target = new DeviceAddress(who.UserId, command!.ClientId!);
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
        var (command, error) = CommandBinder.CreateAttachment(frame);
        if (error is not null)
        {
            return error;
        }
        var result = await media.CreateAttachmentAsync(
            new CreateAttachmentRequest(command!.Hash, command.Size!.Value, command.ContentType, who.UserId), ct);
        if (result.Error is { } refused)
        {
            var code = refused.Code == MediaErrorCodes.TooLarge ? ErrorCodes.AttachmentTooLarge : ErrorCodes.InvalidField;
            return new ErrorFrame(frame.RequestId, code, refused.Message);
        }
        var created = result.Value!;
        return new CreateAttachmentResult(frame.RequestId, created.AttachmentId, created.UploadUrl, created.AlreadyUploaded, created.ExpiresAt);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];
}
