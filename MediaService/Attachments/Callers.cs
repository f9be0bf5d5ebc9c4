using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Natter.Contracts;

namespace Natter.MediaService.Attachments;

/// <summary>
/// Who is calling. Users come with a Natter JWT. ChatService and the gateways present Media:InternalKey in
/// Natter-Internal-Key (service to service, no user token) and name the user they act for.
/// </summary>
public static class Callers
{
    public static string? UserId(this HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(NatterClaims.UserId)?.Value : null;

    /// <summary>The caller presented the service key (Natter-Internal-Key): ChatService or a gateway.</summary>
    public static bool IsService(this HttpContext context)
    {
        var key = context.RequestServices.GetRequiredService<IOptions<MediaOptions>>().Value.InternalKey;
        return key is { Length: > 0 } && context.Request.Headers[MediaHeaders.InternalKey] is [{ } presented]
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key));
    }

    /// <summary>A service acts for any user; a user only for themselves.</summary>
    public static bool MayActFor(this HttpContext context, string userId) =>
        context.IsService() || (context.UserId() is { } caller && caller == userId);
}
