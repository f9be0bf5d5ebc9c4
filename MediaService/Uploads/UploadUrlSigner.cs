using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Natter.MediaService.Uploads;

/// <summary>
/// Short-lived upload URLs, so a client can upload without a token: HMAC-SHA256 over "{attachmentId}\n{expires}".
/// The key is Media:UrlSigningKey, or Auth:SigningKey in development (the AppHost's generated key).
/// </summary>
public sealed class UploadUrlSigner
{
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly MediaOptions _options;

    public UploadUrlSigner(IOptions<MediaOptions> options, IConfiguration configuration, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var key = _options.UrlSigningKey is { Length: > 0 } configured ? configured : configuration["Auth:SigningKey"];
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidOperationException("Media:UrlSigningKey (or Auth:SigningKey in development) is required to sign upload URLs.");
        }
        _key = Encoding.UTF8.GetBytes(key);
    }

    public (string Url, DateTimeOffset ExpiresAt) CreateUploadUrl(HttpRequest request, string attachmentId)
    {
        var expiresAt = _time.GetUtcNow() + _options.UploadUrlLifetime;
        var expires = expiresAt.ToUnixTimeSeconds();
        var baseUrl = _options.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";
        return ($"{baseUrl}/uploads/{attachmentId}?expires={expires}&sig={Sign(attachmentId, expires)}",
            DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    public bool IsValid(string attachmentId, string? expires, string? signature)
    {
        // Compared as numbers: any long parses, and most are beyond what DateTimeOffset can hold.
        if (!long.TryParse(expires, out var expiresAt) || signature is null
            || expiresAt < _time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(attachmentId, expiresAt));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string attachmentId, long expires) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{attachmentId}\n{expires}")));
}
