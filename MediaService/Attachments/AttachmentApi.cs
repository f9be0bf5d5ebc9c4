using Microsoft.Extensions.Options;
using Natter.Contracts;
using Natter.MediaService.Uploads;

namespace Natter.MediaService.Attachments;

public sealed record ValidateAttachmentsRequest(string? UserId, string? ChatId, string[]? AttachmentIds);

/// <summary>The endpoints the gateway (createAttachment) and ChatService (sendMessage, deleteMessage) call.</summary>
public static class AttachmentApi
{
    /// <summary>Product limit: a chat has at most 100 participants.</summary>
    private const int MaxMembers = 100;

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
        if (ServiceOnly(context) is { } refused)
        {
            return refused;
        }
        if (request is not { UserId.Length: > 0, ChatId.Length: > 0, MessageId.Length: > 0, AttachmentIds: not null }
            || request.MessageId.Contains('|', StringComparison.Ordinal) || request.MemberIds is { Length: > MaxMembers })
        {
            return MediaError.BadRequest("invalid_request",
                $"userId, chatId, messageId (without '|') and attachmentIds are required; at most {MaxMembers} memberIds.");
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
        if (ServiceOnly(context) is { } refused)
        {
            return refused;
        }
        if (chatId is not { Length: > 0 } || messageId is not { Length: > 0 } || attachmentId is not { Length: > 0 and <= AttachmentCatalog.MaxAttachmentsPerMessage })
        {
            return MediaError.BadRequest("invalid_request", "chatId, messageId and 1 to 10 attachmentId are required.");
        }
        foreach (var id in attachmentId.Distinct(StringComparer.Ordinal))
        {
            await catalog.RemoveReferenceAsync(id, chatId, messageId, cancellationToken);
        }
        return Results.NoContent();
    }

    /// <summary>
    /// References decide who may read an attachment and how long it is kept, so only ChatService grants them, with
    /// the service key. A user's token, valid as it may be, is forbidden here; no credential or a wrong key is 401.
    /// </summary>
    private static IResult? ServiceOnly(HttpContext context) =>
        context.IsService() ? null
        : context.UserId() is not null ? MediaError.Forbidden("Only ChatService, with the service key, may change an attachment's references.")
        : MediaError.Unauthorized();
}
