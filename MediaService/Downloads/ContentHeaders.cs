using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace Natter.MediaService.Downloads;

/// <summary>
/// Stored content is the uploader's, and a download is served from MediaService's own origin: a page or script among
/// it must never run there, where it could read the viewer's token. Only raster images display inline; everything
/// else (HTML, SVG, XML, PDF, anything unknown) is a file to save, in a sandbox with no permissions either way.
/// </summary>
public static class ContentHeaders
{
    /// <summary>Formats a browser displays as pixels without running anything. SVG is absent on purpose: it can hold script.</summary>
    private static readonly FrozenSet<string> InlineTypes = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/avif");

    public const string Policy = "default-src 'none'; sandbox";

    public static bool DisplaysInline(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Value is { } type && InlineTypes.Contains(type);

    /// <summary>The disposition a response or signed URL carries: inline for raster images, else attachment.</summary>
    public static string Disposition(string contentType, string attachmentId) =>
        DisplaysInline(contentType) ? "inline" : $"attachment; filename=\"{attachmentId}\"";

    public static void Apply(HttpResponse response, string contentType, string attachmentId)
    {
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.ContentDisposition = Disposition(contentType, attachmentId);
    }
}
