using System.Net.Http.Headers;
using System.Security.Cryptography;
using Natter.EndToEnd.Tests.Messaging;

namespace Natter.EndToEnd.Tests.Media;

/// <summary>HTTP access to the AppHost's MediaService as clients have it: a user's JWT, or a signed upload URL.</summary>
public sealed class MediaHarness(NatterAppFixture fixture)
{
    private readonly MessagingHarness _messaging = new(fixture);

    /// <summary>The smallest valid PNG (1×1, one grey pixel): an image MediaService makes a thumbnail of.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==");

    public Uri BaseAddress => fixture.HttpEndpoint("mediaservice");

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>A client acting as the user, with a token minted by the gateway (they share the signing key).</summary>
    public async Task<HttpClient> ClientForAsync(string userId)
    {
        var http = Anonymous();
        var token = await _messaging.TokenAsync("gateway-a", userId, MessagingHarness.NewId("http"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    /// <summary>What a client does with createAttachment's uploadUrl: PUT the whole content, no token needed.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(string uploadUrl, byte[] content, string contentType)
    {
        using var http = new HttpClient();
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await http.PutAsync(uploadUrl, body);
    }
}
