using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

[Collection(MediaCollection.Name)]
public sealed class DownloadTests(MediaFixture fixture)
{
    [StateFact]
    public async Task Range_request_returns_exactly_the_requested_bytes()
    {
        var content = MediaFixture.RandomBytes(6 * 1024 * 1024);
        var uploaded = await fixture.UploadOkAsync("alice", content, "video/mp4");
        using var client = fixture.Client("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{uploaded.AttachmentId}/content");
        // Across a 4 MiB block boundary, as a player seeking would ask.
        request.Headers.Range = new RangeHeaderValue(4 * 1024 * 1024 - 10, 4 * 1024 * 1024 + 99);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content.AsSpan(4 * 1024 * 1024 - 10, 110).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(content.Length, response.Content.Headers.ContentRange?.Length);
    }

    [StateFact]
    public async Task Suffix_range_returns_the_tail_and_a_range_past_the_end_is_416()
    {
        var content = MediaFixture.RandomBytes(5000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        using var client = fixture.Client("alice");
        using var tail = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{uploaded.AttachmentId}/content");
        tail.Headers.Range = new RangeHeaderValue(null, 100);
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{uploaded.AttachmentId}/content");
        beyond.Headers.Range = new RangeHeaderValue(5000, null);

        using var tailResponse = await client.SendAsync(tail);
        using var beyondResponse = await client.SendAsync(beyond);

        Assert.Equal(HttpStatusCode.PartialContent, tailResponse.StatusCode);
        Assert.Equal(content[^100..], await tailResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyondResponse.StatusCode);
    }

    [StateFact]
    public async Task Matching_if_none_match_answers_304_without_content()
    {
        var content = MediaFixture.RandomBytes(10_000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        using var client = fixture.Client("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{uploaded.AttachmentId}/content");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{uploaded.Sha256}\""));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [StateFact]
    public async Task Only_the_uploader_and_members_of_chats_it_was_sent_in_may_download()
    {
        var content = MediaFixture.RandomBytes(50_000);
        var uploaded = await fixture.UploadOkAsync("alice", content, "application/zip");
        var path = $"/attachments/{uploaded.AttachmentId}/content";
        using var bob = fixture.Client("bob");
        using var carol = fixture.Client("carol");
        using var anonymous = fixture.Client();

        // Before it is sent anywhere, another user's token sees the same 404 as for an attachment that does not exist.
        using var bobBefore = await bob.GetAsync(path);
        using var missing = await bob.GetAsync($"/attachments/{new string('0', 32)}/content");
        Assert.Equal(HttpStatusCode.NotFound, bobBefore.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(await missing.Content.ReadAsStringAsync(), await bobBefore.Content.ReadAsStringAsync());

        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-ab", "m1", ["alice", "bob"], uploaded.AttachmentId);

        Assert.Equal(content, await bob.GetByteArrayAsync(path));
        using var carolResponse = await carol.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, carolResponse.StatusCode);
        using var noToken = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var carolUrl = await carol.GetAsync($"/attachments/{uploaded.AttachmentId}/url");
        Assert.Equal(HttpStatusCode.NotFound, carolUrl.StatusCode);
    }

    [StateFact]
    public async Task Deleting_the_message_takes_the_members_download_right_away()
    {
        var content = MediaFixture.RandomBytes(1000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-ad", "m9", ["alice", "dave"], uploaded.AttachmentId);
        using var dave = fixture.Client("dave");
        Assert.Equal(content, await dave.GetByteArrayAsync($"/attachments/{uploaded.AttachmentId}/content"));

        await ChatReferences.DeleteMessageAsync(fixture, "chat-ad", "m9", uploaded.AttachmentId);

        using var after = await dave.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [StateFact]
    public async Task Signed_blob_url_serves_the_content_directly_from_storage()
    {
        var content = MediaFixture.RandomBytes(20_000);
        var uploaded = await fixture.UploadOkAsync("alice", content, "audio/ogg");
        using var alice = fixture.Client("alice");

        var signed = await alice.GetFromJsonAsync<SignedUrl>($"/attachments/{uploaded.AttachmentId}/url");

        using var storage = new HttpClient();
        using var response = await storage.GetAsync(signed!.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("audio/ogg", response.Content.Headers.ContentType?.MediaType);
        using var tampered = await storage.GetAsync(signed.Url.Replace("sig=", "sig=A", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    private sealed record SignedUrl(string Url, DateTimeOffset ExpiresAt);
}
