namespace Natter.MediaService.Attachments;

/// <summary>
/// Who may read an attachment: its uploader always; anyone else only while they are a member of a chat in which a
/// message carrying it was sent, and only if they were a member when it was sent (a later joiner never saw it).
/// The send-time members are recorded on the reference by ChatService; current membership is the chat actor's.
/// </summary>
public sealed class ReadAccess(IChatMembership membership)
{
    public async Task<bool> MayReadAsync(AttachmentRecord record, string userId, CancellationToken cancellationToken)
    {
        if (record.OwnerId == userId)
        {
            return true;
        }
        foreach (var chatId in record.ChatsSentTo(userId))
        {
            if (await membership.IsMemberAsync(chatId, userId, cancellationToken))
            {
                return true;
            }
        }
        return false;
    }
}
