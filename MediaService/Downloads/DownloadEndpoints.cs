using Natter.Contracts;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Natter.MediaService.Attachments;
using Natter.MediaService.Storage;

namespace Natter.MediaService.Downloads;

public sealed record DownloadUrl(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Reads for the uploader and for members of chats where a message referencing the attachment was sent.
/// Anyone else gets the same 404 as for an attachment that does not exist.
/// </summary>
public static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("/attachments/{id}").RequireAuthorization();
        downloads.MapGet("", GetInfoAsync);
        downloads.MapGet("/content", GetContentAsync);
        downloads.MapGet("/thumbnail", GetThumbnailAsync);
        downloads.MapGet("/url", GetSignedUrlAsync);
        return app;
    }

    private static async Task<AttachmentRecord?> ReadableAsync(string id, HttpContext context, AttachmentCatalog catalog)
    {
        var record = await catalog.GetAsync(id, context.RequestAborted);
        return record is { Uploaded: true } && context.UserId() is { } user && record.MayBeReadBy(user) ? record : null;
    }

    private static async Task<IResult> GetInfoAsync(string id, HttpContext context, AttachmentCatalog catalog) =>
        await ReadableAsync(id, context, catalog) is { } record ? Results.Ok(record.ToInfo()) : MediaError.NotFound();

    private static async Task<IResult> GetContentAsync(string id, HttpContext context, AttachmentCatalog catalog, MediaContainers containers)
    {
        if (await ReadableAsync(id, context, catalog) is not { } record)
        {
            return MediaError.NotFound();
        }
        return new BlobContentResult(containers.Content(record.Sha256), record.Size, record.ContentType, record.Sha256);
    }

    private static async Task<IResult> GetThumbnailAsync(string id, HttpContext context, AttachmentCatalog catalog, MediaContainers containers)
    {
        if (await ReadableAsync(id, context, catalog) is not { HasThumbnail: true } record)
        {
            return MediaError.NotFound();
        }
        var thumbnail = await containers.Thumbnail(record.Sha256).OpenReadAsync(cancellationToken: context.RequestAborted);
        return Results.File(thumbnail, "image/jpeg", entityTag: ContentTag($"{record.Sha256}-thumb"), enableRangeProcessing: true);
    }

    private static async Task<IResult> GetSignedUrlAsync(
        string id, HttpContext context, AttachmentCatalog catalog, MediaContainers containers, TimeProvider time,
        IOptions<MediaOptions> options)
    {
        if (await ReadableAsync(id, context, catalog) is not { } record)
        {
            return MediaError.NotFound();
        }
        var expiresAt = time.GetUtcNow() + options.Value.DownloadUrlLifetime;
        var blob = containers.Content(record.Sha256);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresAt)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            // The blob is shared by identical uploads; each attachment's own type travels in the signed URL.
            ContentType = record.ContentType,
        };
        return Results.Ok(new DownloadUrl(blob.GenerateSasUri(sas).ToString(), expiresAt));
    }

    private static EntityTagHeaderValue ContentTag(string value) => new($"\"{value}\"");
}
