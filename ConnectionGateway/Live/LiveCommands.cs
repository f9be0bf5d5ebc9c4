using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

/// <summary>
/// typing, getPresence and updateSettings (docs/PROTOCOL.md §12). The gateway fans typing out itself: membership is
/// owned by the chat's actor, but asking it on every keystroke would cost a turn on the chat's one hot path, while a
/// member list cached for a few seconds answers both "may this user type here" and "to whom" with none.
/// </summary>
public sealed class LiveCommands(
    ChatClient chats, ChatMembersCache members, TypingThrottle throttle, LiveSignalPublisher signals,
    PresenceQuery presence, UserSettingsStore settings)
{
    public async Task<object> TypingAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<TypingCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (!CommandBinder.IsChatId(command!.ChatId))
        {
            return FrameReader.Invalid(frame, "chatId must be a chat id as issued by createChat");
        }
        if (command.State is not (TypingStates.Start or TypingStates.Stop))
        {
            return FrameReader.Invalid(frame, "state must be start or stop");
        }
        var chatId = command.ChatId!;
        var list = await members.GetAsync(chatId, async loadCt =>
        {
            var chat = await chats.GetAsync(chatId, new ChatGetRequest(who.UserId), loadCt);
            return chat.Value?.Participants;
        }, ct);
        if (list is null || !list.Contains(who.UserId, StringComparer.Ordinal))
        {
            // An unknown chat answers the same: typing is no oracle for which chat ids exist.
            return new ErrorFrame(frame.RequestId, ErrorCodes.NotAMember, "you are not a participant of this chat");
        }
        if (!throttle.TryForward(who.Device, chatId, command.State))
        {
            return new TypingResult(frame.RequestId, chatId, command.State, Forwarded: false);
        }
        // Not to the typist's own other devices: WhatsApp shows nobody their own typing.
        var expiresIn = command.State == TypingStates.Start ? (long)TypingThrottle.Expiry.TotalMilliseconds : 0;
        await signals.PublishAsync([.. list.Where(u => u != who.UserId)],
            new TypingFrame(chatId, who.UserId, command.State, expiresIn), TypingThrottle.Expiry, ct);
        return new TypingResult(frame.RequestId, chatId, command.State, Forwarded: true);
    }

    public async Task<object> GetPresenceAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<GetPresenceCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (command!.UserIds is not { Count: > 0 and <= PresenceQuery.MaxUsers } userIds || !userIds.All(CommandBinder.IsId))
        {
            return FrameReader.Invalid(frame, $"userIds must be an array of 1 to {PresenceQuery.MaxUsers} user ids");
        }
        return new GetPresenceResult(frame.RequestId, await presence.ForAsync(who.UserId, userIds, ct));
    }

    public async Task<object> UpdateSettingsAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        var (command, error) = FrameReader.Bind<UpdateSettingsCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (command!.ReadReceipts is null && command.ShowPresence is null)
        {
            return FrameReader.Invalid(frame, "give readReceipts or showPresence (true or false)");
        }
        var updated = await settings.UpdateAsync(who.UserId, current => current with
        {
            ReadReceipts = command.ReadReceipts ?? current.ReadReceipts,
            ShowPresence = command.ShowPresence ?? current.ShowPresence,
        }, ct);
        return new UpdateSettingsResult(frame.RequestId, updated.ReadReceipts, updated.ShowPresence);
    }
}
