using Dapr.Client;
using Microsoft.Extensions.Options;
using Natter.Contracts;
using Natter.MediaService.Retention;
using Natter.MediaService.Storage;
using Natter.State;

namespace Natter.MediaService.Attachments;

/// <summary>The attachment records: creation, upload completion, validation for messages, and message references.</summary>
public sealed class AttachmentCatalog(
    DaprClient dapr, BlobRegistry blobs, ExpiryIndex expiry, ReadAccess access, TimeProvider time, IOptions<MediaOptions> options)
{
    /// <summary>Product limit: attachments per message.</summary>
    public const int MaxAttachmentsPerMessage = 10;

    public async Task<AttachmentRecord?> GetAsync(string attachmentId, CancellationToken cancellationToken) =>
        MediaInput.IsValidId(attachmentId)
            ? (await dapr.ReadAsync<AttachmentRecord>(MediaStateKeys.Attachment(attachmentId), cancellationToken)).Value
            : null;

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Records a new attachment. It is saved and filed for expiry before any blob counts it, so a crash in between
    /// leaves at worst a record the sweep removes, never a blob count nobody decrements.
    /// </summary>
    public async Task<AttachmentRecord> CreateAsync(
        string attachmentId, string ownerId, string sha256, long size, string contentType, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new AttachmentRecord(attachmentId, ownerId, sha256, size, contentType, now,
            Uploaded: false, HasThumbnail: false, References: [], ExpiresAt: now + options.Value.Retention);
        await expiry.AddAsync(attachmentId, record.ExpiresAt, cancellationToken);
        await dapr.CommitAsync([NatterState.Upsert(MediaStateKeys.Attachment(attachmentId), record, etag: null)], cancellationToken);
        return record;
    }

    /// <summary>createAttachment for content already stored: counts this attachment on the blob and marks it uploaded.</summary>
    public async Task<AttachmentRecord?> TryCompleteFromExistingBlobAsync(AttachmentRecord record, CancellationToken cancellationToken)
    {
        var blob = await blobs.TryAttachExistingAsync(record.Sha256, record.Id, cancellationToken);
        if (blob is null || blob.Size != record.Size)
        {
            return null;
        }
        return await MarkUploadedAsync(record.Id, blob.HasThumbnail, cancellationToken);
    }

    public Task<AttachmentRecord?> MarkUploadedAsync(string attachmentId, bool hasThumbnail, CancellationToken cancellationToken) =>
        dapr.UpdateAsync<AttachmentRecord>(MediaStateKeys.Attachment(attachmentId), current => current is null
            ? StateChange<AttachmentRecord>.Keep
            : StateChange<AttachmentRecord>.Save(current with { Uploaded = true, HasThumbnail = hasThumbnail }), cancellationToken);

    /// <summary>sendMessage's check: each attachment exists, is uploaded, and the sender may read it now (so a removed member cannot forward it).</summary>
    public async Task<ValidationOutcome> ValidateAsync(string userId, IReadOnlyList<string> attachmentIds, CancellationToken cancellationToken)
    {
        var ids = attachmentIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > MaxAttachmentsPerMessage)
        {
            return ValidationOutcome.Fail(MediaErrorCodes.TooManyAttachments, $"A message carries at most {MaxAttachmentsPerMessage} attachments.");
        }
        var found = new List<AttachmentRecord>(ids.Length);
        foreach (var id in ids)
        {
            var record = await GetAsync(id, cancellationToken);
            if (record is null || !await access.MayReadAsync(record, userId, cancellationToken))
            {
                return ValidationOutcome.Fail(MediaErrorCodes.AttachmentNotFound, "No such attachment for this user.", id);
            }
            if (!record.Uploaded)
            {
                return ValidationOutcome.Fail(MediaErrorCodes.AttachmentNotUploaded, "The attachment's content has not been uploaded yet.", id);
            }
            found.Add(record);
        }
        return new ValidationOutcome(found, null);
    }

    /// <summary>
    /// A message referencing the attachment was sent: its chat's members may now download it. The server keeps a
    /// message 30 days at most, so the attachment is kept for the retention period after its latest reference.
    /// </summary>
    public async Task AddReferenceAsync(string attachmentId, string chatId, string messageId, string[] memberIds, CancellationToken cancellationToken)
    {
        var expiresAt = time.GetUtcNow() + options.Value.Retention;
        // Filed first, as in RemoveReferenceAsync: the sweep's index must know every day the record may expire on.
        await expiry.AddAsync(attachmentId, expiresAt, cancellationToken);
        await dapr.UpdateAsync<AttachmentRecord>(MediaStateKeys.Attachment(attachmentId), current =>
        {
            if (current is null)
            {
                return StateChange<AttachmentRecord>.Keep;
            }
            var references = new Dictionary<string, string[]>(current.References)
            {
                [AttachmentRecord.ReferenceKey(chatId, messageId)] = memberIds,
            };
            return StateChange<AttachmentRecord>.Save(current with { References = references, ExpiresAt = Later(current.ExpiresAt, expiresAt) });
        }, cancellationToken);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The message was deleted: when it was the last reference, the retention period starts now.</summary>
    public async Task RemoveReferenceAsync(string attachmentId, string chatId, string messageId, CancellationToken cancellationToken)
    {
        var referenceKey = AttachmentRecord.ReferenceKey(chatId, messageId);
        var existing = await GetAsync(attachmentId, cancellationToken);
        if (existing is null || !existing.References.ContainsKey(referenceKey))
        {
            return;
        }
        var expiresAt = time.GetUtcNow() + options.Value.Retention;
        // Filed first: a crash after the record changes must not leave an expiring attachment outside the sweep's index.
        await expiry.AddAsync(attachmentId, expiresAt, cancellationToken);
        await dapr.UpdateAsync<AttachmentRecord>(MediaStateKeys.Attachment(attachmentId), current =>
        {
            if (current is null || !current.References.ContainsKey(referenceKey))
            {
                return StateChange<AttachmentRecord>.Keep;
            }
            var references = new Dictionary<string, string[]>(current.References);
            references.Remove(referenceKey);
            // The last reference gone starts a full retention period; while others remain, their expiry stands.
            return StateChange<AttachmentRecord>.Save(current with
            {
                References = references,
                ExpiresAt = references.Count == 0 ? Later(current.ExpiresAt, expiresAt) : current.ExpiresAt,
            });
        }, cancellationToken);
    }
}

public sealed record ValidationOutcome(IReadOnlyList<AttachmentRecord> Attachments, MediaError? Error)
{
    public static ValidationOutcome Fail(string code, string message, string? attachmentId = null) =>
        new([], new MediaError(code, message, attachmentId));
}
