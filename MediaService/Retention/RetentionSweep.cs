using Dapr.Client;
using Natter.MediaService.Attachments;
using Natter.MediaService.Storage;
using Natter.State;

namespace Natter.MediaService.Retention;

public sealed record SweepReport(int AttachmentsDeleted, int BlobsDeleted, int DaysSwept);

/// <summary>
/// Deletes expired attachments, then blobs no attachment uses. Every sidecar fires the daily cron, so several sweeps
/// may run at once: each deletion is decided again under etag, so two sweeps never delete twice or delete a revived item.
/// </summary>
public sealed class RetentionSweep(
    DaprClient dapr, BlobRegistry blobs, MediaContainers containers, TimeProvider time, ILogger<RetentionSweep> logger)
{
    public async Task<SweepReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var (cursor, _) = await dapr.ReadAsync<ExpiryCursor>(MediaStateKeys.ExpiryCursor, cancellationToken);
        var (attachmentsDeleted, blobsDeleted, days) = (0, 0, 0);
        for (var day = cursor?.Day ?? today; day <= today; day = day.AddDays(1), days++)
        {
            for (var shard = 0; shard < ExpiryIndex.Shards; shard++)
            {
                var bucketKey = ExpiryIndex.BucketKey(day, shard);
                var (ids, _) = await dapr.ReadAsync<string[]>(bucketKey, cancellationToken);
                if (ids is null)
                {
                    continue;
                }
                var settled = new HashSet<string>(StringComparer.Ordinal);
                foreach (var id in ids)
                {
                    var outcome = await ExpireIfDueAsync(id, day, now, cancellationToken);
                    if (outcome != ExpiryOutcome.NotYet)
                    {
                        settled.Add(id);
                    }
                    attachmentsDeleted += outcome is ExpiryOutcome.Deleted or ExpiryOutcome.DeletedWithBlob ? 1 : 0;
                    blobsDeleted += outcome == ExpiryOutcome.DeletedWithBlob ? 1 : 0;
                }
                // Remove only what this sweep settled: ids filed meanwhile stay for the next one.
                await dapr.UpdateAsync<string[]>(bucketKey, current =>
                {
                    if (current is null)
                    {
                        return StateChange<string[]>.Keep;
                    }
                    var remaining = current.Where(id => !settled.Contains(id)).ToArray();
                    return remaining.Length == 0 ? StateChange<string[]>.Delete
                        : remaining.Length == current.Length ? StateChange<string[]>.Keep
                        : StateChange<string[]>.Save(remaining);
                }, cancellationToken);
            }
        }
        // Days before today are done; today's bucket may hold items that expire later today.
        await dapr.UpdateAsync<ExpiryCursor>(MediaStateKeys.ExpiryCursor, current =>
            current is null || current.Day < today ? StateChange<ExpiryCursor>.Save(new ExpiryCursor(today)) : StateChange<ExpiryCursor>.Keep,
            cancellationToken);
        logger.LogInformation("Retention sweep: {Attachments} attachments and {Blobs} blobs deleted over {Days} days",
            attachmentsDeleted, blobsDeleted, days);
        return new SweepReport(attachmentsDeleted, blobsDeleted, days);
    }

    private enum ExpiryOutcome { NotYet, NotHere, Deleted, DeletedWithBlob }

    private async Task<ExpiryOutcome> ExpireIfDueAsync(string attachmentId, DateOnly bucketDay, DateTimeOffset now, CancellationToken cancellationToken)
    {
        AttachmentRecord? deleted = null;
        var kept = await dapr.UpdateAsync<AttachmentRecord>(MediaStateKeys.Attachment(attachmentId), current =>
        {
            deleted = null;
            // References do not hold it past ExpiresAt: every reference moved ExpiresAt to cover its message's lifetime.
            if (current is not null && current.ExpiresAt <= now)
            {
                deleted = current;
                return StateChange<AttachmentRecord>.Delete;
            }
            return StateChange<AttachmentRecord>.Keep;
        }, cancellationToken);

        if (deleted is null)
        {
            // Referenced again, or filed again under another day: this bucket no longer needs to hold it.
            return kept is not null && DateOnly.FromDateTime(kept.ExpiresAt.UtcDateTime) == bucketDay
                ? ExpiryOutcome.NotYet
                : ExpiryOutcome.NotHere;
        }
        await containers.StagedUpload(attachmentId).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        var blobDeleted = await blobs.ReleaseAsync(deleted.Sha256, attachmentId, cancellationToken);
        return blobDeleted ? ExpiryOutcome.DeletedWithBlob : ExpiryOutcome.Deleted;
    }
}
