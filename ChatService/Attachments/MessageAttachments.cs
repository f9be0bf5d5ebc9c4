using Natter.Contracts;
using Natter.Media;

namespace Natter.ChatService.Attachments;

/// <summary>
/// A message's attachments, checked and shared through MediaService before the message is stored: the sender must be
/// allowed to use each one, and the chat's members may then download them. Doing it first means a stored message
/// never points at an attachment its recipients cannot fetch; if the store then fails, the extra grant only lasts
/// the attachment's retention.
/// </summary>
public sealed class MessageAttachments(MediaApiClient media)
{
    public async Task<(IReadOnlyList<AttachmentInfo> Attachments, ChatError? Refusal)> ShareAsync(
        string chatId, string messageId, string senderId, IReadOnlyList<string> attachmentIds, IReadOnlyList<string> members,
        CancellationToken ct)
    {
        if (attachmentIds.Count == 0)
        {
            return ([], null);
        }
        var result = await media.AddReferencesAsync(
            new AddReferencesRequest(senderId, chatId, messageId, [.. attachmentIds], [.. members]), ct);
        if (result.Error is not { } error)
        {
            return (result.Value!.Attachments, null);
        }
        var refusal = error.Code == MediaErrorCodes.TooManyAttachments
            ? new ChatError(ErrorCodes.TooManyAttachments, error.Message)
            : new ChatError(ErrorCodes.InvalidAttachment,
                error.AttachmentId is null ? error.Message : $"attachment {error.AttachmentId}: {error.Message}");
        return ([], refusal);
    }

    /// <summary>The message was deleted for everyone: its attachments are no longer shared through it.</summary>
    public Task ReleaseAsync(string chatId, string messageId, IReadOnlyList<string> attachmentIds, CancellationToken ct) =>
        attachmentIds.Count == 0 ? Task.CompletedTask : media.RemoveReferencesAsync(chatId, messageId, attachmentIds, ct);
}
