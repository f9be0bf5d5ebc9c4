using System.Net;
using System.Net.Http.Json;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Media;

/// <summary>Uploads to the AppHost's MediaService after createAttachment on the WebSocket: what goes wrong, and what is kept.</summary>
[Collection(NatterAppCollection.Name)]
public sealed class UploadTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);
    private readonly MediaHarness _media = new(fixture);

    [Fact]
    public async Task Content_that_does_not_match_the_declared_hash_is_refused_and_nothing_is_stored()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));
        var declared = MediaHarness.RandomBytes(10_000);
        var created = await a.CreateAttachmentAsync(MediaHarness.Sha256Hex(declared), declared.Length, "application/octet-stream");
        var other = MediaHarness.RandomBytes(10_000);

        using var response = await MediaHarness.UploadAsync(created.UploadUrl, other, "application/octet-stream");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("hash_mismatch", (await response.Content.ReadFromJsonAsync<MediaErrorBody>())!.Code);
        var names = await _media.BlobNamesAsync("attachments");
        Assert.DoesNotContain(MediaHarness.Sha256Hex(other), names);
        Assert.DoesNotContain(MediaHarness.Sha256Hex(declared), names);
    }

    [Fact]
    public async Task An_interrupted_upload_resumes_from_the_offset_the_server_holds()
    {
        var alice = NewId("alice");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var content = MediaHarness.RandomBytes(3 * 1024 * 1024 + 123);
        var created = await a.CreateAttachmentAsync(MediaHarness.Sha256Hex(content), content.Length, "video/mp4");
        using (var first = await MediaHarness.PatchAsync(created.UploadUrl, 0, content[..1_000_000]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        // The client lost track; it asks where to go on, and sends the rest from there.
        var offset = await MediaHarness.OffsetAsync(created.UploadUrl);
        Assert.Equal(1_000_000, offset);
        using var rest = await MediaHarness.PatchAsync(created.UploadUrl, offset, content[(int)offset..]);

        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        using var asAlice = await _media.ClientForAsync(alice);
        Assert.Equal(content, await asAlice.GetByteArrayAsync($"/attachments/{created.AttachmentId}/content"));
    }

    [Fact]
    public async Task Two_uploads_of_the_same_content_are_stored_as_one_blob()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(NewId("bob"), NewId("b1"));
        var content = MediaHarness.RandomBytes(20_000);
        var hash = MediaHarness.Sha256Hex(content);

        var first = await MediaHarness.UploadThroughWebSocketAsync(a, content, "audio/ogg");
        var second = await MediaHarness.UploadThroughWebSocketAsync(b, content, "audio/ogg");

        Assert.NotEqual(first, second);
        Assert.Single(await _media.BlobNamesAsync("attachments"), name => name == hash);
    }

    [Fact]
    public async Task A_corrupt_image_gets_a_clear_error_and_the_service_keeps_serving()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));
        var corrupt = MediaHarness.TinyPng[..30].Concat(MediaHarness.RandomBytes(5000)).ToArray();
        var created = await a.CreateAttachmentAsync(MediaHarness.Sha256Hex(corrupt), corrupt.Length, "image/png");

        using var response = await MediaHarness.UploadAsync(created.UploadUrl, corrupt, "image/png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_image", (await response.Content.ReadFromJsonAsync<MediaErrorBody>())!.Code);
        // The service is unharmed: a valid image right after goes through.
        Assert.NotNull(await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.TinyPng, "image/png"));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_before_its_body_is_read()
    {
        var alice = NewId("alice");
        using var asAlice = await _media.ClientForAsync(alice);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads")
        {
            Content = new StreamContent(new ZeroStream(100L * 1024 * 1024 + 1)),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Content.Headers.ContentLength = 100L * 1024 * 1024 + 1;
        request.Headers.Add("Upload-Sha256", new string('0', 64));
        request.Headers.ExpectContinue = true;

        using var response = await asAlice.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    /// <summary>A body of zeros that is never materialised.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
