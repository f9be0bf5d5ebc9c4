using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Natter.Contracts;

namespace Natter.MediaService.Attachments;

/// <summary>
/// Who is calling. Users come with a Natter JWT. ChatService acts for a user either by forwarding that user's JWT or,
/// when Media:InternalKey is configured, by presenting it in Natter-Internal-Key (service to service, no user token).
/// </summary>
public static class Callers
{
    public static string? UserId(this HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(NatterClaims.UserId)?.Value : null;

    public static bool MayActFor(this HttpContext context, string userId)
    {
        var key = context.RequestServices.GetRequiredService<IOptions<MediaOptions>>().Value.InternalKey;
        if (key is { Length: > 0 } && context.Request.Headers[MediaHeaders.InternalKey] is [{ } presented]
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key)))
        {
            return true;
        }
        return context.UserId() is { } caller && caller == userId;
    }
}
