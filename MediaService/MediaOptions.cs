namespace Natter.MediaService;

/// <summary>Configuration section "Media".</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Product limit on one attachment; Kestrel's request body limit is set from it too.</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Key for signed upload URLs. Falls back to Auth:SigningKey (development) when empty.</summary>
    public string? UrlSigningKey { get; set; }

    /// <summary>When set, service-to-service callers may present it as Natter-Internal-Key instead of a user JWT.</summary>
    public string? InternalKey { get; set; }

    /// <summary>Base URL clients use to reach this service; upload URLs are built on it. Empty: the request's own host.</summary>
    public string? PublicBaseUrl { get; set; }

    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an attachment outlives its last reference (or its creation, if never referenced).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
