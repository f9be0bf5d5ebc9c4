using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Aspire.Hosting.Testing;
using Azure.Storage.Blobs;
using Natter.Client;
using Natter.Contracts;
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

    /// <summary>A chunk of the resumable protocol: PATCH at the offset the server holds.</summary>
    public static async Task<HttpResponseMessage> PatchAsync(string uploadUrl, long offset, byte[] chunk)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Patch, uploadUrl) { Content = new ByteArrayContent(chunk) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        return await http.SendAsync(request);
    }

    public static async Task<long> OffsetAsync(string uploadUrl)
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, uploadUrl));
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    /// <summary>createAttachment on the WebSocket, then the whole content to the signed URL, as a client does.</summary>
    public static async Task<string> UploadThroughWebSocketAsync(NatterClient client, byte[] content, string contentType)
    {
        var created = await client.CreateAttachmentAsync(Sha256Hex(content), content.Length, contentType);
        if (!created.AlreadyUploaded)
        {
            using var response = await UploadAsync(created.UploadUrl, content, contentType);
            response.EnsureSuccessStatusCode();
        }
        return created.AttachmentId;
    }

    /// <summary>Blob names in one of MediaService's containers, read straight from Azurite.</summary>
    public async Task<IReadOnlyList<string>> BlobNamesAsync(string container)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("blobs");
        var names = new List<string>();
        await foreach (var blob in new BlobServiceClient(connectionString).GetBlobContainerClient(container).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }
}
