using Microsoft.Extensions.Options;
using Natter.Contracts;
using Natter.MediaService.Uploads;

namespace Natter.MediaService.Attachments;

public sealed record ValidateAttachmentsRequest(string? UserId, string? ChatId, string[]? AttachmentIds);

/// <summary>The endpoints the gateway (createAttachment) and ChatService (sendMessage, deleteMessage) call.</summary>
public static class AttachmentApi
{
    public static IEndpointRouteBuilder MapAttachmentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/attachments", CreateAsync).AllowAnonymous();
        app.MapPost("/attachments/validate", ValidateAsync).AllowAnonymous();
        app.MapPost("/attachments/references", AddReferencesAsync).AllowAnonymous();
        app.MapDelete("/attachments/references", RemoveReferencesAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateAttachmentRequest request, HttpContext context, AttachmentCatalog catalog, UploadUrlSigner signer,
        IOptions<MediaOptions> options, CancellationToken cancellationToken)
    {
        // A user creates for themselves with their JWT; the gateway creates for the user it names, with the service key.
        if ((request.UserId ?? context.UserId()) is not { Length: > 0 } userId || !context.MayActFor(userId))
        {
            return MediaError.Unauthorized();
        }
        var sha256 = MediaInput.NormalizeSha256(request.Sha256);
        if (sha256 is null || request.Size <= 0 || !MediaInput.IsValidContentType(request.ContentType))
        {
            return MediaError.BadRequest("invalid_request", "sha256 (64 hex), a positive size and a contentType are required.");
        }
        if (request.Size > options.Value.MaxUploadBytes)
        {
            return MediaError.TooLarge(options.Value.MaxUploadBytes);
        }
        var record = await catalog.CreateAsync(AttachmentCatalog.NewId(), userId, sha256, request.Size, request.ContentType!, cancellationToken);
        var completed = await catalog.TryCompleteFromExistingBlobAsync(record, cancellationToken);
        var (url, expiresAt) = signer.CreateUploadUrl(context.Request, record.Id);
        return Results.Json(new CreateAttachmentResponse(record.Id, url, completed is not null, expiresAt),
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ValidateAsync(
        ValidateAttachmentsRequest request, HttpContext context, AttachmentCatalog catalog, CancellationToken cancellationToken)
    {
        if (request.UserId is not { Length: > 0 } userId || request.AttachmentIds is null)
        {
            return MediaError.BadRequest("invalid_request", "userId and attachmentIds are required.");
        }
        if (!context.MayActFor(userId))
        {
            return MediaError.Unauthorized();
        }
        var outcome = await catalog.ValidateAsync(userId, request.AttachmentIds, cancellationToken);
        return outcome.Error is { } error
            ? Results.Json(error, statusCode: StatusCodes.Status400BadRequest)
            : Results.Ok(new AttachmentsResponse([.. outcome.Attachments.Select(AttachmentRecords.ToInfo)]));
    }

    private static async Task<IResult> AddReferencesAsync(
        AddReferencesRequest request, HttpContext context, AttachmentCatalog catalog, CancellationToken cancellationToken)
    {
        if (request is not { UserId.Length: > 0, ChatId.Length: > 0, MessageId.Length: > 0, AttachmentIds: not null })
        {
            return MediaError.BadRequest("invalid_request", "userId, chatId, messageId and attachmentIds are required.");
        }
        if (!context.MayActFor(request.UserId))
        {
            return MediaError.Unauthorized();
        }
        // The sender must be allowed to use every attachment, exactly as sendMessage's validation checks.
        var outcome = await catalog.ValidateAsync(request.UserId, request.AttachmentIds, cancellationToken);
        if (outcome.Error is { } error)
        {
            return Results.Json(error, statusCode: StatusCodes.Status400BadRequest);
        }
        // The sender is always a member, whether or not the caller listed them.
        var members = (request.MemberIds ?? []).Append(request.UserId).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var attachment in outcome.Attachments)
        {
            await catalog.AddReferenceAsync(attachment.Id, request.ChatId, request.MessageId, members, cancellationToken);
        }
        // What the message will carry to its recipients, in the order the sender listed them.
        return Results.Ok(new AttachmentsResponse([.. outcome.Attachments.Select(AttachmentRecords.ToInfo)]));
    }

    private static async Task<IResult> RemoveReferencesAsync(
        string? chatId, string? messageId, string[]? attachmentId, HttpContext context, AttachmentCatalog catalog,
        CancellationToken cancellationToken)
    {
        if (chatId is not { Length: > 0 } || messageId is not { Length: > 0 } || attachmentId is not { Length: > 0 and <= AttachmentCatalog.MaxAttachmentsPerMessage })
        {
            return MediaError.BadRequest("invalid_request", "chatId, messageId and 1 to 10 attachmentId are required.");
        }
        foreach (var id in attachmentId.Distinct(StringComparer.Ordinal))
        {
            var record = await catalog.GetAsync(id, cancellationToken);
            if (record is null)
            {
                continue;
            }
            // Whoever may read the attachment through this message (its sender, a member acting through ChatService) may drop it.
            var referenced = record.References.TryGetValue(AttachmentRecord.ReferenceKey(chatId, messageId), out var members);
            if (!referenced)
            {
                continue;
            }
            if (!members!.Append(record.OwnerId).Any(context.MayActFor))
            {
                return MediaError.Unauthorized();
            }
            await catalog.RemoveReferenceAsync(id, chatId, messageId, cancellationToken);
        }
        return Results.NoContent();
    }
}
