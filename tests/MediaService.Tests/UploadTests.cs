using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

[Collection(MediaCollection.Name)]
public sealed class UploadTests(MediaFixture fixture)
{
    [StateFact]
    public async Task Uploaded_content_downloads_byte_for_byte()
    {
        // More than two 4 MiB blocks, and not a multiple of the block size.
        var content = MediaFixture.RandomBytes(9 * 1024 * 1024 + 123);

        var uploaded = await fixture.UploadOkAsync("alice", content, "video/mp4");

        Assert.Equal(content.Length, uploaded.Size);
        Assert.Equal(MediaFixture.Sha256Of(content), uploaded.Sha256);
        Assert.Equal("video/mp4", uploaded.ContentType);
        using var client = fixture.Client("alice");
        using var response = await client.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{uploaded.Sha256}\"", response.Headers.ETag?.Tag);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upload_whose_content_does_not_match_the_declared_hash_is_rejected_and_nothing_is_stored()
    {
        var content = MediaFixture.RandomBytes(5 * 1024 * 1024);
        var declared = MediaFixture.Sha256Of(MediaFixture.RandomBytes(10));

        using var response = await fixture.UploadAsync("alice", content, declaredSha256: declared);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ErrorBody>();
        Assert.Equal("hash_mismatch", error!.Code);
        Assert.DoesNotContain(declared, await fixture.BlobNamesAsync("attachments"));
        Assert.DoesNotContain(MediaFixture.Sha256Of(content), await fixture.BlobNamesAsync("attachments"));
    }

    [Fact]
    public async Task Upload_declaring_more_than_the_limit_is_refused_with_413_before_streaming()
    {
        var content = MediaFixture.RandomBytes((int)MediaFixture.MaxUploadBytes + 1);

        using var response = await fixture.UploadAsync("alice", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too_large", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
        Assert.DoesNotContain(MediaFixture.Sha256Of(content), await fixture.BlobNamesAsync("attachments"));
    }

    [Fact]
    public async Task Chunked_upload_that_grows_past_the_limit_is_cut_off_with_413()
    {
        var content = MediaFixture.RandomBytes((int)MediaFixture.MaxUploadBytes + 5 * 1024 * 1024);
        using var client = fixture.Client("alice");
        // No Content-Length: the service can only find out by counting.
        using var body = new StreamContent(new MemoryStream(content));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("Upload-Sha256", MediaFixture.Sha256Of(content));

        HttpResponseMessage? response = null;
        try
        {
            response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The server may answer 413 and close while the client is still sending; either way nothing is stored.
        }
        finally
        {
            response?.Dispose();
        }
        Assert.DoesNotContain(MediaFixture.Sha256Of(content), await fixture.BlobNamesAsync("attachments"));
    }

    [StateFact]
    public async Task Identical_content_uploaded_twice_is_stored_as_one_blob()
    {
        var content = MediaFixture.RandomBytes(3 * 1024 * 1024);

        var first = await fixture.UploadOkAsync("alice", content);
        var second = await fixture.UploadOkAsync("bob", content);

        Assert.NotEqual(first.AttachmentId, second.AttachmentId);
        var names = await fixture.BlobNamesAsync("attachments");
        Assert.Single(names, name => name == MediaFixture.Sha256Of(content));
        using var bob = fixture.Client("bob");
        Assert.Equal(content, await bob.GetByteArrayAsync($"/attachments/{second.AttachmentId}/content"));
    }

    [StateFact]
    public async Task Concurrent_uploads_of_identical_content_all_succeed_and_are_all_counted_on_one_blob()
    {
        var content = MediaFixture.RandomBytes(5 * 1024 * 1024);
        var users = new[] { "u1", "u2", "u3", "u4" };

        var uploads = await Task.WhenAll(users.Select(user => fixture.UploadAsync(user, content)));

        Assert.All(uploads, u => Assert.Equal(HttpStatusCode.Created, u.StatusCode));
        var attachments = await Task.WhenAll(uploads.Select(async u => (await u.Content.ReadFromJsonAsync<UploadedAttachment>())!));
        Assert.Single(await fixture.BlobNamesAsync("attachments"), name => name == MediaFixture.Sha256Of(content));
        // Every attachment is counted on the blob: expiring three of them must leave it for the fourth, which a
        // message referenced 20 days in and so keeps until day 50.
        await fixture.AdvanceClockAsync(TimeSpan.FromDays(20));
        await ChatReferences.SendInChatAsync(fixture, "u4", "chat-u4", "m1", ["u4"], attachments[3].AttachmentId);
        await fixture.AdvanceClockAsync(TimeSpan.FromDays(11));
        await fixture.RunCleanupAsync();
        using var u4 = fixture.Client("u4");
        Assert.Equal(content, await u4.GetByteArrayAsync($"/attachments/{attachments[3].AttachmentId}/content"));
        foreach (var upload in uploads)
        {
            upload.Dispose();
        }
    }

    [Fact]
    public async Task Upload_without_a_token_is_unauthorized()
    {
        using var client = fixture.Client();
        using var body = new ByteArrayContent([1, 2, 3]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.PostAsync("/uploads", body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed record ErrorBody(string Code, string Message, string? AttachmentId);
