using Natter.Contracts;

namespace Natter.MediaService;

/// <summary>Every error on the wire is {"code","message"}; the codes are part of the API (docs/MEDIA.md).</summary>
public sealed record MediaError(string Code, string Message, string? AttachmentId = null)
{
    public static IResult NotFound() =>
        // The same answer for "does not exist" and "not yours": nobody can probe for other users' attachments.
        Results.Json(new MediaError("not_found", "No such attachment."), statusCode: StatusCodes.Status404NotFound);

    public static IResult BadRequest(string code, string message, string? attachmentId = null) =>
        Results.Json(new MediaError(code, message, attachmentId), statusCode: StatusCodes.Status400BadRequest);

    public static IResult TooLarge(long limit) =>
        Results.Json(new MediaError(MediaErrorCodes.TooLarge, $"Attachments are limited to {limit} bytes."),
            statusCode: StatusCodes.Status413PayloadTooLarge);

    public static IResult Unauthorized() =>
        Results.Json(new MediaError("unauthorized", "A valid token or signature is required."),
            statusCode: StatusCodes.Status401Unauthorized);

    public static IResult Forbidden(string message) =>
        Results.Json(new MediaError("forbidden", message), statusCode: StatusCodes.Status403Forbidden);

    public static IResult Conflict(string code, string message) =>
        Results.Json(new MediaError(code, message), statusCode: StatusCodes.Status409Conflict);

    public static IResult RetryLater(string message) =>
        Results.Json(new MediaError("retry_later", message), statusCode: StatusCodes.Status503ServiceUnavailable);
}
