using Microsoft.Extensions.Options;
using Natter.MediaService.Attachments;
using Natter.MediaService.Thumbnails;

namespace Natter.MediaService.Uploads;

/// <summary>What an upload answers on success (docs/MEDIA.md).</summary>
public sealed record UploadedAttachment(string AttachmentId, long Size, string ContentType, string Sha256)
{
    public static UploadedAttachment From(AttachmentRecord record) => new(record.Id, record.Size, record.ContentType, record.Sha256);
}

/// <summary>An upload's path from bytes to a stored attachment: stage and verify, check images, publish the blob.</summary>
public sealed class UploadPipeline(
    ContentStager stager, ThumbnailMaker thumbnails, BlobRegistry blobs, AttachmentCatalog catalog, IOptions<MediaOptions> options)
{
    public sealed record Staged(StagedContent? Content, byte[]? Thumbnail, IResult? Error);

    /// <summary>Streams <paramref name="source"/> into staged blocks, verifying hash and size, and decodes images.</summary>
    public async Task<Staged> StageAsync(
        Stream source, string sha256, long? declaredSize, string contentType, CancellationToken cancellationToken)
    {
        var isImage = ThumbnailMaker.IsImage(contentType);
        StageResult result;
        try
        {
            result = await stager.StageAsync(source, sha256, declaredSize, isImage, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own body limit (set from Media:MaxUploadBytes) fired before our count did.
            return new Staged(null, null, MediaError.TooLarge(options.Value.MaxUploadBytes));
        }
        switch (result.Failure)
        {
            case StageFailure.TooLarge:
                return new Staged(null, null, MediaError.TooLarge(options.Value.MaxUploadBytes));
            case StageFailure.SizeMismatch:
                return new Staged(null, null, MediaError.BadRequest("size_mismatch",
                    $"The upload has {result.ActualSize} bytes or more; {declaredSize} were declared."));
            case StageFailure.HashMismatch:
                return new Staged(null, null, MediaError.BadRequest("hash_mismatch",
                    $"The content's SHA-256 is {result.ActualSha256}, not the declared {sha256}. Nothing was stored."));
        }
        var content = result.Content!;
        if (!isImage)
        {
            return new Staged(content, null, null);
        }
        var thumbnail = await thumbnails.MakeAsync(content.ImageCopyPath!, cancellationToken);
        content.Dispose();
        return thumbnail switch
        {
            { ErrorCode: ThumbnailResult.Busy } => new Staged(null, null, MediaError.RetryLater(thumbnail.Error!)),
            { ErrorCode: { } code } => new Staged(null, null, MediaError.BadRequest(code, $"{thumbnail.Error} Nothing was stored.")),
            _ => new Staged(content, thumbnail.Jpeg, null),
        };
    }

    /// <summary>Makes staged, verified content this attachment's: commits or dedupes the blob, then marks the record uploaded.</summary>
    public async Task<(UploadedAttachment? Uploaded, IResult? Error)> PublishAsync(
        AttachmentRecord record, Staged staged, CancellationToken cancellationToken)
    {
        var hasThumbnail = await blobs.PublishAsync(staged.Content!, record.Id, staged.Thumbnail, cancellationToken);
        if (hasThumbnail is null)
        {
            return (null, MediaError.RetryLater("The same content was being stored or deleted concurrently; upload again."));
        }
        var updated = await catalog.MarkUploadedAsync(record.Id, hasThumbnail.Value, cancellationToken) ?? record;
        return (UploadedAttachment.From(updated), null);
    }
}
