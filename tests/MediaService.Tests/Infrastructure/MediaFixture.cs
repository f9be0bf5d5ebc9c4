using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage.Blobs;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>Real Azurite, the real state store behind a sidecar (when this branch has one), and the real MediaService.</summary>
public sealed class MediaFixture : IAsyncLifetime
{
    /// <summary>Small enough that the oversize test is quick, large enough for multi-block and resumable uploads.</summary>
    public const long MaxUploadBytes = 16 * 1024 * 1024;

    private Azurite? _azurite;
    private StateSidecar? _sidecar;
    private string _appApiToken = "";

    public MediaServiceHost Host { get; private set; } = null!;
    public Tokens Tokens { get; private set; } = null!;
    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>The chats' members as the chat actors would answer; MediaService asks it at every non-uploader read.</summary>
    public TestChatMembership Membership { get; } = new();

    /// <summary>Development only: the service key ChatService and the gateways present, fresh per test run.</summary>
    public string ServiceKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public async Task InitializeAsync()
    {
        // Development only: a fresh random key per test run.
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        Tokens = new Tokens(signingKey);
        _appApiToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _azurite = await Azurite.StartAsync();
        Blobs = new BlobServiceClient(_azurite.ConnectionString);
        _sidecar = await StateSidecar.StartIfAvailableAsync();
        Host = await MediaServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:blobs"] = _azurite.ConnectionString,
            ["Auth:SigningKey"] = signingKey,
            ["Media:MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Natter:TestClock"] = "true",
            // What a sidecar presents on the routes only it may call (/cleanup).
            ["APP_API_TOKEN"] = _appApiToken,
            ["Media:InternalKey"] = ServiceKey,
            // Without a sidecar the state calls fail fast; the tests that need state are skipped then.
            ["DAPR_GRPC_ENDPOINT"] = _sidecar?.GrpcEndpoint ?? "http://127.0.0.1:9",
            ["DAPR_HTTP_ENDPOINT"] = _sidecar?.HttpEndpoint ?? "http://127.0.0.1:9",
        }, Membership);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    public HttpClient Client(string? userId = null)
    {
        var client = new HttpClient { BaseAddress = Host.Address, Timeout = TimeSpan.FromMinutes(2) };
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(userId));
        }
        return client;
    }

    /// <summary>A client acting as MediaService's sidecar: the cron binding's calls carry APP_API_TOKEN.</summary>
    public HttpClient SidecarClient()
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("dapr-api-token", _appApiToken);
        return client;
    }

    /// <summary>A client as ChatService is one: the service key, no user token.</summary>
    public HttpClient ServiceClient(string? key = null)
    {
        var client = Client();
        client.DefaultRequestHeaders.Add(Natter.Contracts.MediaHeaders.InternalKey, key ?? ServiceKey);
        return client;
    }

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>POST /uploads with the given declared hash (the content's own by default).</summary>
    public async Task<HttpResponseMessage> UploadAsync(string userId, byte[] content, string contentType = "application/octet-stream", string? declaredSha256 = null)
    {
        using var client = Client(userId);
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = body };
        request.Headers.Add("Upload-Sha256", declaredSha256 ?? Sha256Of(content));
        // As a careful client would: the body is only sent once the service has accepted the headers (size, auth).
        request.Headers.ExpectContinue = true;
        return await client.SendAsync(request);
    }

    public async Task<UploadedAttachment> UploadOkAsync(string userId, byte[] content, string contentType = "application/octet-stream")
    {
        using var response = await UploadAsync(userId, content, contentType);
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<UploadedAttachment>())!;
    }

    public async Task<IReadOnlyList<string>> BlobNamesAsync(string container)
    {
        var names = new List<string>();
        await foreach (var blob in Blobs.GetBlobContainerClient(container).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    public async Task AdvanceClockAsync(TimeSpan by)
    {
        using var client = Client();
        using var response = await client.PostAsJsonAsync("/dev/clock", new { advanceSeconds = by.TotalSeconds });
        response.EnsureSuccessStatusCode();
    }

    public async Task<SweepReport> RunCleanupAsync()
    {
        using var client = SidecarClient();
        using var response = await client.PostAsync("/cleanup", JsonContent.Create(new { }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SweepReport>())!;
    }
}

public sealed record UploadedAttachment(string AttachmentId, long Size, string ContentType, string Sha256);

public sealed record SweepReport(int AttachmentsDeleted, int BlobsDeleted, int DaysSwept);

[CollectionDefinition(Name)]
public sealed class MediaCollection : ICollectionFixture<MediaFixture>
{
    public const string Name = "media";
}
