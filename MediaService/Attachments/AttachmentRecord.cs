using Natter.Contracts;

namespace Natter.MediaService.Attachments;

/// <summary>
/// One user's attachment: a pointer to content-addressed content plus who may read it.
/// <see cref="References"/> maps "chatId|messageId" to the chat's members when that message was sent;
/// who of them may still download is <see cref="ReadAccess"/>'s decision.
/// </summary>
public sealed record AttachmentRecord(
    string Id,
    string OwnerId,
    string Sha256,
    long Size,
    string ContentType,
    DateTimeOffset CreatedAt,
    bool Uploaded,
    bool HasThumbnail,
    Dictionary<string, string[]> References,
    DateTimeOffset ExpiresAt)
{
    public static string ReferenceKey(string chatId, string messageId) => $"{chatId}|{messageId}";

    /// <summary>The chats in which a message carrying this attachment was sent while the user was a member.</summary>
    public IEnumerable<string> ChatsSentTo(string userId) => References
        .Where(reference => reference.Value.Contains(userId, StringComparer.Ordinal))
        .Select(reference => ChatIdOf(reference.Key))
        .Distinct(StringComparer.Ordinal);

    private static string ChatIdOf(string referenceKey) => referenceKey[..referenceKey.LastIndexOf('|')];

    public bool IsImage => ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The per-blob reference count: which attachments use attachments/{sha256}. The blob is deleted only when this set
/// is empty, after <see cref="Deleting"/> has been set under etag, so an upload that arrives meanwhile sees it.
/// </summary>
public sealed record BlobRecord(
    string Sha256,
    long Size,
    string[] AttachmentIds,
    bool HasThumbnail,
    string? BlobETag,
    string? ThumbnailETag,
    bool Deleting);

public static class AttachmentRecords
{
    /// <summary>What clients and ChatService see of an attachment (docs/MEDIA.md).</summary>
    public static AttachmentInfo ToInfo(this AttachmentRecord record) => new(
        record.Id, record.Size, record.ContentType, record.Sha256,
        record.HasThumbnail ? $"/attachments/{record.Id}/thumbnail" : null);
}
