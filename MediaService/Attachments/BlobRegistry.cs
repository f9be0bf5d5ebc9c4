using Azure;
using Azure.Storage.Blobs.Models;
using Dapr.Client;
using Natter.MediaService.Storage;
using Natter.MediaService.Uploads;
using Natter.State;

namespace Natter.MediaService.Attachments;

/// <summary>
/// Reference counting of content-addressed blobs: blob|{sha256} lists the attachments that use the blob.
/// Invariants: a non-deleting record means the blob exists; the sweep deletes a blob only after marking its empty record
/// Deleting under etag, and deletes the blob only if its storage ETag is still the one recorded, so an upload that
/// re-creates the content meanwhile (new ETag) survives.
/// </summary>
public sealed class BlobRegistry(DaprClient dapr, MediaContainers containers, ILogger<BlobRegistry> logger)
{
    private const int PublishAttempts = 12;

    /// <summary>Adds the attachment to an existing blob (dedupe). False when the content is not (or no longer) stored.</summary>
    public async Task<BlobRecord?> TryAttachExistingAsync(string sha256, string attachmentId, CancellationToken cancellationToken)
    {
        var record = await dapr.UpdateAsync<BlobRecord>(MediaStateKeys.Blob(sha256), current => current switch
        {
            null or { Deleting: true } => StateChange<BlobRecord>.Keep,
            _ when current.AttachmentIds.Contains(attachmentId) => StateChange<BlobRecord>.Keep,
            _ => StateChange<BlobRecord>.Save(current with { AttachmentIds = [.. current.AttachmentIds, attachmentId] }),
        }, cancellationToken);
        return record is { Deleting: false } ? record : null;
    }

    /// <summary>
    /// Makes verified staged content the blob for its hash and counts the attachment. If the blob already exists the
    /// staged blocks are simply not committed. Returns whether the blob has a thumbnail, or null when the upload must be
    /// retried (its staged blocks were discarded by a concurrent commit or deletion that never settled).
    /// </summary>
    public async Task<bool?> PublishAsync(StagedContent staged, string attachmentId, byte[]? thumbnail, CancellationToken cancellationToken)
    {
        var key = MediaStateKeys.Blob(staged.Sha256);
        string? blobETag = null;
        string? thumbnailETag = null;
        for (var attempt = 1; attempt <= PublishAttempts; attempt++)
        {
            var (current, etag) = await dapr.ReadAsync<BlobRecord>(key, cancellationToken);
            if (current is { Deleting: false })
            {
                if (current.AttachmentIds.Contains(attachmentId)
                    || await TrySaveAsync(key, current with { AttachmentIds = [.. current.AttachmentIds, attachmentId] }, etag, cancellationToken))
                {
                    return current.HasThumbnail;
                }
                continue;
            }

            if (blobETag is null)
            {
                try
                {
                    var committed = await containers.Content(staged.Sha256).CommitBlockListAsync(staged.BlockIds, cancellationToken: cancellationToken);
                    blobETag = committed.Value.ETag.ToString();
                }
                catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.InvalidBlockList)
                {
                    // Someone committed the same content first (which discards other uploads' uncommitted blocks):
                    // their record appears in a moment.
                    logger.LogDebug("Staged blocks of {Sha256} were discarded; waiting for the other upload", staged.Sha256);
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
                    continue;
                }
                if (thumbnail is not null)
                {
                    var uploaded = await containers.Thumbnail(staged.Sha256).UploadAsync(
                        new BinaryData(thumbnail).ToStream(),
                        new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "image/jpeg" } },
                        cancellationToken);
                    thumbnailETag = uploaded.Value.ETag.ToString();
                }
            }

            var created = new BlobRecord(staged.Sha256, staged.Size, [attachmentId], thumbnail is not null, blobETag, thumbnailETag, Deleting: false);
            if (!await TrySaveAsync(key, created, etag, cancellationToken))
            {
                continue;
            }
            if (etag is not null)
            {
                return created.HasThumbnail;
            }
            // The state API has no create-if-absent: re-read so that a concurrent creator's overwrite is noticed.
            var (stored, _) = await dapr.ReadAsync<BlobRecord>(key, cancellationToken);
            if (stored is not null && stored.AttachmentIds.Contains(attachmentId))
            {
                return stored.HasThumbnail;
            }
        }
        return null;
    }

    /// <summary>Removes the attachment from its blob; deletes the blob when nothing else uses it.</summary>
    public async Task<bool> ReleaseAsync(string sha256, string attachmentId, CancellationToken cancellationToken)
    {
        var key = MediaStateKeys.Blob(sha256);
        var record = await dapr.UpdateAsync<BlobRecord>(key, current =>
        {
            if (current is null || (!current.AttachmentIds.Contains(attachmentId) && current.AttachmentIds.Length > 0))
            {
                return StateChange<BlobRecord>.Keep;
            }
            var remaining = current.AttachmentIds.Where(id => id != attachmentId).ToArray();
            return StateChange<BlobRecord>.Save(current with { AttachmentIds = remaining, Deleting = remaining.Length == 0 });
        }, cancellationToken);
        if (record is not { Deleting: true, AttachmentIds.Length: 0 })
        {
            return false;
        }

        await DeleteIfUnchangedAsync(containers.Content(sha256), record.BlobETag, cancellationToken);
        await DeleteIfUnchangedAsync(containers.Thumbnail(sha256), record.ThumbnailETag, cancellationToken);
        // Re-check under etag: an upload that took the blob over meanwhile rewrote the record, which then stays.
        await dapr.UpdateAsync<BlobRecord>(key, current =>
            current is { Deleting: true, AttachmentIds.Length: 0 } && current.BlobETag == record.BlobETag
                ? StateChange<BlobRecord>.Delete
                : StateChange<BlobRecord>.Keep, cancellationToken);
        return true;
    }

    /// <summary>Writes the record under the etag it was read with; false when another writer changed it meanwhile.</summary>
    private async Task<bool> TrySaveAsync(string key, BlobRecord record, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.CommitAsync([NatterState.Upsert(key, record, etag)], cancellationToken);
            return true;
        }
        catch (Exception e) when (NatterState.IsConflict(e))
        {
            return false;
        }
    }

    private async Task DeleteIfUnchangedAsync(Azure.Storage.Blobs.Specialized.BlockBlobClient blob, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null)
        {
            return;
        }
        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots,
                new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            logger.LogDebug("Blob {Blob} was already gone or re-created ({Status})", blob.Name, e.Status);
        }
    }
}
