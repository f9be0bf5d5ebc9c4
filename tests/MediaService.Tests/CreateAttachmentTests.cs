using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>The HTTP side of the gateway's createAttachment, and the signed, resumable upload URL it hands out.</summary>
[Collection(MediaCollection.Name)]
public sealed class CreateAttachmentTests(MediaFixture fixture)
{
    [StateFact]
    public async Task New_content_gets_an_upload_url_that_works_without_a_token()
    {
        var content = MediaFixture.RandomBytes(6 * 1024 * 1024);
        var created = await CreateAsync("alice", content, "application/pdf");
        Assert.False(created.AlreadyUploaded);

        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var response = await anonymous.PutAsync(created.UploadUrl, new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var uploaded = await response.Content.ReadFromJsonAsync<UploadedAttachment>();
        Assert.Equal(created.AttachmentId, uploaded!.AttachmentId);
        using var alice = fixture.Client("alice");
        Assert.Equal(content, await alice.GetByteArrayAsync($"/attachments/{created.AttachmentId}/content"));
    }

    [StateFact]
    public async Task Known_content_is_already_uploaded_for_the_new_attachment()
    {
        var content = MediaFixture.RandomBytes(100_000);
        await fixture.UploadOkAsync("alice", content);

        var created = await CreateAsync("bob", content, "image/x-unknown");

        Assert.True(created.AlreadyUploaded);
        using var bob = fixture.Client("bob");
        using var info = await bob.GetAsync($"/attachments/{created.AttachmentId}");
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(content, await bob.GetByteArrayAsync($"/attachments/{created.AttachmentId}/content"));
    }

    [StateFact]
    public async Task Tampered_upload_signature_is_refused()
    {
        var content = MediaFixture.RandomBytes(1000);
        var created = await CreateAsync("alice", content, "application/octet-stream");
        var tampered = created.UploadUrl.Replace("sig=", "sig=x", StringComparison.Ordinal);

        using var anonymous = new HttpClient();
        using var response = await anonymous.PutAsync(tampered, new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [StateTheory]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    public async Task An_expiry_beyond_the_calendar_is_refused_not_a_server_error(string expires)
    {
        var content = MediaFixture.RandomBytes(1000);
        var created = await CreateAsync("alice", content, "application/octet-stream");
        var url = System.Text.RegularExpressions.Regex.Replace(created.UploadUrl, "expires=[0-9]+", $"expires={expires}");

        using var anonymous = new HttpClient();
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [StateFact]
    public async Task Interrupted_upload_resumes_from_the_offset_that_arrived()
    {
        var content = MediaFixture.RandomBytes(14 * 1024 * 1024 + 77);
        var created = await CreateAsync("alice", content, "video/mp4");
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        // First attempt: 9 MiB go out, then the connection breaks while the service waits for more.
        var firstPart = content.AsMemory(0, 9 * 1024 * 1024);
        var stalled = new StallingStream(firstPart);
        using var breakOff = new CancellationTokenSource();
        var interrupted = SendChunkAsync(anonymous, created.UploadUrl, 0, new StreamContent(stalled), breakOff.Token);
        await stalled.AllSent.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitForOffsetAsync(anonymous, created.UploadUrl, atLeast: 8 * 1024 * 1024);
        await breakOff.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);

        // Second attempt sends only what is missing, as a real client does: from HEAD's offset, and from the
        // offset a 409 reports if the broken request's last partial block landed in between.
        var offset = await OffsetAsync(anonymous, created.UploadUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        HttpResponseMessage rest;
        while (true)
        {
            Assert.InRange(offset, 8 * 1024 * 1024, firstPart.Length);
            rest = await SendChunkAsync(anonymous, created.UploadUrl, offset,
                new ByteArrayContent(content, (int)offset, content.Length - (int)offset), timeout.Token);
            if (rest.StatusCode != HttpStatusCode.Conflict)
            {
                break;
            }
            offset = long.Parse(rest.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
            rest.Dispose();
        }
        using var _ = rest;
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        using var alice = fixture.Client("alice");
        Assert.Equal(content, await alice.GetByteArrayAsync($"/attachments/{created.AttachmentId}/content"));
        Assert.DoesNotContain(created.AttachmentId, await fixture.BlobNamesAsync("staging"));
    }

    [StateFact]
    public async Task Chunk_at_the_wrong_offset_is_refused_with_the_current_offset()
    {
        var content = MediaFixture.RandomBytes(2000);
        var created = await CreateAsync("alice", content, "application/octet-stream");
        using var anonymous = new HttpClient();

        using var response = await SendChunkAsync(anonymous, created.UploadUrl, 500, new ByteArrayContent(content, 500, 1500), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("Upload-Offset").Single());
    }

    [Fact]
    public async Task Create_attachment_without_a_token_is_unauthorized()
    {
        using var client = fixture.Client();
        using var response = await client.PostAsJsonAsync("/attachments", new { sha256 = new string('a', 64), size = 10, contentType = "image/png" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Create_attachment_over_the_limit_is_refused_with_413()
    {
        using var client = fixture.Client("alice");
        using var response = await client.PostAsJsonAsync("/attachments",
            new { sha256 = new string('a', 64), size = MediaFixture.MaxUploadBytes + 1, contentType = "video/mp4" });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<CreatedAttachment> CreateAsync(string userId, byte[] content, string contentType)
    {
        using var client = fixture.Client(userId);
        using var response = await client.PostAsJsonAsync("/attachments",
            new { sha256 = MediaFixture.Sha256Of(content), size = content.Length, contentType });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedAttachment>())!;
    }

    private static async Task<HttpResponseMessage> SendChunkAsync(HttpClient client, string url, long offset, HttpContent body, CancellationToken cancellationToken)
    {
        body.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = body };
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await client.SendAsync(request, cancellationToken);
    }

    private static async Task<long> OffsetAsync(HttpClient client, string url)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForOffsetAsync(HttpClient client, string url, long atLeast)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await OffsetAsync(client, url) < atLeast)
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed record CreatedAttachment(string AttachmentId, string UploadUrl, bool AlreadyUploaded, DateTimeOffset ExpiresAt);

    /// <summary>Sends its bytes, then blocks until the request is cancelled: a connection that breaks mid-upload.</summary>
    private sealed class StallingStream(ReadOnlyMemory<byte> content) : Stream
    {
        private readonly TaskCompletionSource _allSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task AllSent => _allSent.Task;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < content.Length)
            {
                var count = Math.Min(buffer.Length, content.Length - _position);
                content.Slice(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }
            _allSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
