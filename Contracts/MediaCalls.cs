namespace Natter.Contracts;

// Gateway and ChatService → MediaService calls (HTTP, JSON; docs/MEDIA.md). The services act for a user either with
// that user's JWT or with the shared service key in the Natter-Internal-Key header plus the user id in the body.

/// <summary>createAttachment. UserId is for service callers; a caller with a user JWT leaves it out.</summary>
public sealed record CreateAttachmentRequest(string? Sha256, long Size, string? ContentType, string? UserId = null);

public sealed record CreateAttachmentResponse(string AttachmentId, string UploadUrl, bool AlreadyUploaded, DateTimeOffset ExpiresAt);

/// <summary>A message referencing these attachments is being sent: check them, and let the chat's members read them.</summary>
public sealed record AddReferencesRequest(string? UserId, string? ChatId, string? MessageId, string[]? AttachmentIds, string[]? MemberIds);

public sealed record AttachmentsResponse(IReadOnlyList<AttachmentInfo> Attachments);

/// <summary>Every MediaService error body.</summary>
public sealed record MediaErrorBody(string Code, string Message, string? AttachmentId = null);

public static class MediaHeaders
{
    public const string InternalKey = "Natter-Internal-Key";
}

/// <summary>MediaService's error codes that callers act on.</summary>
public static class MediaErrorCodes
{
    public const string TooLarge = "too_large";
    public const string TooManyAttachments = "too_many_attachments";
    public const string AttachmentNotFound = "attachment_not_found";
    public const string AttachmentNotUploaded = "attachment_not_uploaded";
}
