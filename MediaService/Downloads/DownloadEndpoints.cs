using Natter.Contracts;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Natter.MediaService.Attachments;
using Natter.MediaService.Authentication;
using Natter.MediaService.Storage;

namespace Natter.MediaService.Downloads;

public sealed record DownloadUrl(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Reads for the uploader and for those who may read it (<see cref="ReadAccess"/>): members of a chat where a message
/// carrying it was sent, while they remain members. Anyone else gets the same 404 as for an attachment that does not exist.
/// Only content and thumbnail take a query-string token: an &lt;img src&gt; cannot send a header.
/// </summary>
public static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("/attachments/{id}").RequireAuthorization();
        downloads.MapGet("", GetInfoAsync);
        downloads.MapGet("/content", GetContentAsync).AcceptQueryToken();
        downloads.MapGet("/thumbnail", GetThumbnailAsync).AcceptQueryToken();
        downloads.MapGet("/url", GetSignedUrlAsync);
        return app;
    }

    private static async Task<AttachmentRecord?> ReadableAsync(string id, HttpContext context, AttachmentCatalog catalog)
    {
        var record = await catalog.GetAsync(id, context.RequestAborted);
        var access = context.RequestServices.GetRequiredService<ReadAccess>();
        return record is { Uploaded: true } && context.UserId() is { } user && await access.MayReadAsync(record, user, context.RequestAborted)
            ? record
            : null;
    }

    private static async Task<IResult> GetInfoAsync(string id, HttpContext context, AttachmentCatalog catalog) =>
        await ReadableAsync(id, context, catalog) is { } record ? Results.Ok(record.ToInfo()) : MediaError.NotFound();

    private static async Task<IResult> GetContentAsync(string id, HttpContext context, AttachmentCatalog catalog, MediaContainers containers)
    {
        if (await ReadableAsync(id, context, catalog) is not { } record)
        {
            return MediaError.NotFound();
        }
        ContentHeaders.Apply(context.Response, record.ContentType, record.Id);
        return new BlobContentResult(containers.Content(record.Sha256), record.Size, record.ContentType, record.Sha256);
    }

    private static async Task<IResult> GetThumbnailAsync(string id, HttpContext context, AttachmentCatalog catalog, MediaContainers containers)
    {
        if (await ReadableAsync(id, context, catalog) is not { HasThumbnail: true } record)
        {
            return MediaError.NotFound();
        }
        ContentHeaders.Apply(context.Response, "image/jpeg", record.Id);
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
            // Storage may share an origin with MediaService behind a proxy: the same rule as our own downloads.
            ContentDisposition = ContentHeaders.Disposition(record.ContentType, record.Id),
        };
        return Results.Ok(new DownloadUrl(blob.GenerateSasUri(sas).ToString(), expiresAt));
    }

    private static EntityTagHeaderValue ContentTag(string value) => new($"\"{value}\"");
}
