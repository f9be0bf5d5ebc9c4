using System.Net.Http.Headers;
using System.Security.Cryptography;
using Natter.Client;
using Natter.Contracts;

namespace Natter.Functional.Tests.Infrastructure;

/// <summary>Real WebSocket and HTTP clients against the functional host, and waits on conditions with timeouts.</summary>
public sealed class FunctionalClients(FunctionalHost host)
{
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public async Task<NatterClient> ConnectAsync(string userId, string clientId)
    {
        using var cts = new CancellationTokenSource(FunctionalHost.WaitTimeout);
        var ws = new UriBuilder(host.Gateway.Address) { Scheme = "ws", Path = "/ws" }.Uri;
        return await NatterClient.ConnectAsync(new NatterClientOptions
        {
            Endpoints = [ws],
            TokenProvider = _ => host.TokenAsync(userId, clientId),
            AutoAcknowledge = true,
        }, cts.Token);
    }

    /// <summary>Connects and waits until the gateway has registered the device and finished its first drain.</summary>
    public async Task<NatterClient> ConnectReadyAsync(string userId, string clientId)
    {
        var client = await ConnectAsync(userId, clientId);
        // listChats is answered after the registration that precedes the socket: the device now receives fan-outs.
        await client.ListChatsAsync();
        return client;
    }

    /// <summary>An HTTP client for MediaService acting as the user, with a token minted by the gateway.</summary>
    public async Task<HttpClient> MediaClientForAsync(string userId)
    {
        var http = host.Media.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.TokenAsync(userId, NewId("http")));
        return http;
    }

    /// <summary>createAttachment on the WebSocket, then the whole content to the signed URL, as a client does.</summary>
    public static async Task<string> UploadThroughWebSocketAsync(NatterClient client, byte[] content, string contentType)
    {
        var created = await client.CreateAttachmentAsync(Sha256Hex(content), content.Length, contentType);
        if (!created.AlreadyUploaded)
        {
            using var http = new HttpClient();
            using var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await http.PutAsync(created.UploadUrl, body);
            response.EnsureSuccessStatusCode();
        }
        return created.AttachmentId;
    }

    public async Task<IReadOnlyList<string>> BlobNamesAsync(string container)
    {
        var names = new List<string>();
        await foreach (var blob in host.Blobs.GetBlobContainerClient(container).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<ReceivedItem> NextAsync(NatterClient client, Func<ReceivedItem, bool> match)
    {
        using var cts = new CancellationTokenSource(FunctionalHost.WaitTimeout);
        while (true)
        {
            var item = await client.Items.ReadAsync(cts.Token);
            if (match(item))
            {
                return item;
            }
        }
    }

    public static Task<ReceivedItem> NextMessageAsync(NatterClient client) => NextAsync(client, i => i.Type == FrameTypes.NewMessage);

    /// <summary>Polls a condition every 50 ms until it holds or the timeout passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var cts = new CancellationTokenSource(FunctionalHost.WaitTimeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
        }
    }
}
