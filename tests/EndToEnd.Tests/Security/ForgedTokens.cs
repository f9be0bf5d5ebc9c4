using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// Hand-built JWTs, so a test controls every byte a forger would: the header's alg, the claims, the signature.
/// Signs with the run's development key (read from the AppHost), as /dev/token does, unless told otherwise.
/// </summary>
public sealed class ForgedTokens(string signingKey)
{
    public const string Issuer = "natter";
    public const string Audience = "natter";

    /// <summary>The claims of a token that would be accepted: the baseline every row changes one thing of.</summary>
    public static JsonObject ValidClaims(string userId, string clientId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = userId,
            ["client_id"] = clientId,
            ["nbf"] = now - 60,
            ["iat"] = now - 60,
            ["exp"] = now + 3600,
        };
    }

    public string Hs256(JsonObject claims) => Hmac("HS256", claims, HMACSHA256.HashData);

    public string Hs512(JsonObject claims) => Hmac("HS512", claims, HMACSHA512.HashData);

    /// <summary>alg "none": no signature at all.</summary>
    public static string Unsigned(JsonObject claims) => $"{Segment(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Segment(claims)}.";

    /// <summary>RS256 with a key nobody trusts.</summary>
    public static string Rs256WithStrangerKey(JsonObject claims)
    {
        using var rsa = RSA.Create(2048);
        var input = $"{Segment(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = "stranger" })}.{Segment(claims)}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url(signature)}";
    }

    /// <summary>A valid token with one character of its signature changed.</summary>
    public string Tampered(JsonObject claims)
    {
        var token = Hs256(claims);
        var last = token[^2] == 'A' ? 'B' : 'A';
        return token[..^2] + last + token[^1];
    }

    private string Hmac(string alg, JsonObject claims, Func<byte[], byte[], byte[]> mac)
    {
        var input = $"{Segment(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" })}.{Segment(claims)}";
        return $"{input}.{Base64Url(mac(Encoding.UTF8.GetBytes(signingKey), Encoding.ASCII.GetBytes(input)))}";
    }

    private static string Segment(JsonObject json) => Base64Url(Encoding.UTF8.GetBytes(json.ToJsonString(JsonSerializerOptions.Default)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
