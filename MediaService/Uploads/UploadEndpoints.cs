using Microsoft.Extensions.Options;
using Natter.MediaService.Attachments;

namespace Natter.MediaService.Uploads;

/// <summary>
/// POST /uploads (one shot, JWT), and /uploads/{id} for an attachment made by POST /attachments:
/// PUT (whole body), PATCH + Upload-Offset (resumable chunk), HEAD (current offset). See docs/MEDIA.md.
/// </summary>
public static class UploadEndpoints
{
    public const string Sha256Header = "Upload-Sha256";
    public const string OffsetHeader = "Upload-Offset";
    public const string LengthHeader = "Upload-Length";

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/uploads", UploadOneShotAsync).RequireAuthorization();
        app.MapPut("/uploads/{id}", UploadWholeAsync).AllowAnonymous();
        app.MapMethods("/uploads/{id}", [HttpMethods.Patch], UploadChunkAsync).AllowAnonymous();
        app.MapMethods("/uploads/{id}", [HttpMethods.Head], ReportOffsetAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> UploadOneShotAsync(
        HttpContext context, UploadPipeline pipeline, AttachmentCatalog catalog, IOptions<MediaOptions> options,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var sha256 = MediaInput.NormalizeSha256(request.Headers[Sha256Header]);
        if (sha256 is null || !MediaInput.IsValidContentType(request.ContentType))
        {
            return MediaError.BadRequest("invalid_request", $"A Content-Type and an {Sha256Header} header (64 hex) are required.");
        }
        if (request.ContentLength > options.Value.MaxUploadBytes)
        {
            return MediaError.TooLarge(options.Value.MaxUploadBytes);
        }
        var staged = await pipeline.StageAsync(request.Body, sha256, request.ContentLength, request.ContentType!, cancellationToken);
        if (staged.Error is not null)
        {
            return staged.Error;
        }
        var record = await catalog.CreateAsync(AttachmentCatalog.NewId(), context.UserId()!, sha256, staged.Content!.Size,
            request.ContentType!, cancellationToken);
        var (uploaded, error) = await pipeline.PublishAsync(record, staged, cancellationToken);
        return error ?? Results.Json(uploaded, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UploadWholeAsync(
        string id, HttpContext context, UploadPipeline pipeline, CancellationToken cancellationToken)
    {
        var (record, denied) = await AuthorizeAsync(id, context);
        if (record is null)
        {
            return denied!;
        }
        if (record.Uploaded)
        {
            return Results.Ok(UploadedAttachment.From(record));
        }
        if (context.Request.ContentLength is { } length && length != record.Size)
        {
            return MediaError.BadRequest("size_mismatch", $"Content-Length is {length}; {record.Size} bytes were declared.");
        }
        var staged = await pipeline.StageAsync(context.Request.Body, record.Sha256, record.Size, record.ContentType, cancellationToken);
        if (staged.Error is not null)
        {
            return staged.Error;
        }
        var (uploaded, error) = await pipeline.PublishAsync(record, staged, cancellationToken);
        return error ?? Results.Ok(uploaded);
    }

    private static async Task<IResult> UploadChunkAsync(
        string id, HttpContext context, ResumableUploads resumable, UploadPipeline pipeline, ILoggerFactory loggers)
    {
        var (record, denied) = await AuthorizeAsync(id, context);
        if (record is null)
        {
            return denied!;
        }
        if (record.Uploaded)
        {
            return Results.Ok(UploadedAttachment.From(record));
        }
        if (!long.TryParse(context.Request.Headers[OffsetHeader], out var claimedOffset))
        {
            return MediaError.BadRequest("invalid_request", $"An {OffsetHeader} header is required.");
        }
        // Not RequestAborted: a chunk that breaks off must still be staged (ResumableUploads keeps what arrived).
        var cancellationToken = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var offset = await resumable.GetOffsetAsync(id, cancellationToken);
        if (claimedOffset != offset)
        {
            context.Response.Headers[OffsetHeader] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return MediaError.Conflict("offset_mismatch", $"The upload is at offset {offset}, not {claimedOffset}.");
        }
        try
        {
            offset = await resumable.AppendAsync(id, offset, record.Size, context.Request.Body, cancellationToken);
        }
        catch (UploadTooLongException e)
        {
            return MediaError.BadRequest("size_mismatch", e.Message);
        }
        context.Response.Headers[OffsetHeader] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (offset < record.Size || context.RequestAborted.IsCancellationRequested)
        {
            return Results.NoContent();
        }

        await using var staged = await resumable.CommitAndOpenAsync(id, cancellationToken);
        var verified = await pipeline.StageAsync(staged, record.Sha256, record.Size, record.ContentType, cancellationToken);
        if (verified.Error is not null)
        {
            // The assembled content is wrong as a whole, so no offset is worth resuming from.
            await resumable.DiscardAsync(id, cancellationToken);
            loggers.CreateLogger(typeof(UploadEndpoints)).LogInformation("Resumable upload {AttachmentId} failed verification", id);
            return verified.Error;
        }
        var (uploaded, error) = await pipeline.PublishAsync(record, verified, cancellationToken);
        await resumable.DiscardAsync(id, cancellationToken);
        return error ?? Results.Ok(uploaded);
    }

    private static async Task<IResult> ReportOffsetAsync(string id, HttpContext context, ResumableUploads resumable, CancellationToken cancellationToken)
    {
        var (record, denied) = await AuthorizeAsync(id, context);
        if (record is null)
        {
            return denied!;
        }
        var offset = record.Uploaded ? record.Size : await resumable.GetOffsetAsync(id, cancellationToken);
        context.Response.Headers[OffsetHeader] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers[LengthHeader] = record.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return Results.NoContent();
    }

    /// <summary>The signed URL's signature, or the owner's JWT. Anything else looks like a missing attachment.</summary>
    private static async Task<(AttachmentRecord? Record, IResult? Denied)> AuthorizeAsync(string id, HttpContext context)
    {
        var signer = context.RequestServices.GetRequiredService<UploadUrlSigner>();
        var catalog = context.RequestServices.GetRequiredService<AttachmentCatalog>();
        var query = context.Request.Query;
        var signed = signer.IsValid(id, query["expires"], query["sig"]);
        if (!signed && context.UserId() is null)
        {
            return (null, MediaError.Unauthorized());
        }
        var record = await catalog.GetAsync(id, context.RequestAborted);
        return record is not null && (signed || record.OwnerId == context.UserId())
            ? (record, null)
            : (null, MediaError.NotFound());
    }
}
