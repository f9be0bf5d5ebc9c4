using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>
/// A downloaded file must never run as a page of MediaService's origin (it could read the viewer's token): the
/// browser may not sniff, only raster images display inline, and a query-string token is taken only where an
/// &lt;img src&gt; needs it.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ContentHeadersTests(MediaFixture fixture)
{
    private const string Html = "<html><script>fetch('/steal?'+document.cookie)</script></html>";

    [StateTheory]
    [InlineData("text/html")]
    [InlineData("image/svg+xml")]
    [InlineData("application/xhtml+xml")]
    [InlineData("application/pdf")]
    public async Task Content_that_is_not_a_raster_image_downloads_as_a_file_that_cannot_run(string contentType)
    {
        // Known content under a new type: the declared type is trusted, as createAttachment does for deduplicated content.
        var content = System.Text.Encoding.UTF8.GetBytes($"{Html}<!-- {Guid.NewGuid()} -->");
        var uploaded = await fixture.UploadOkAsync("alice", content, "application/octet-stream");
        var id = await CreateForKnownContentAsync("alice", content, contentType);
        Assert.NotEqual(uploaded.AttachmentId, id);
        using var alice = fixture.Client("alice");

        using var response = await alice.GetAsync($"/attachments/{id}/content");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("sandbox", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
    }

    [StateFact]
    public async Task A_raster_image_displays_inline_but_never_sniffed()
    {
        var uploaded = await fixture.UploadOkAsync("alice", Png.Solid(40, 30), "image/png");
        using var alice = fixture.Client("alice");

        using var content = await alice.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        using var thumbnail = await alice.GetAsync($"/attachments/{uploaded.AttachmentId}/thumbnail");

        Assert.Equal("inline", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        foreach (var response in new[] { content, thumbnail })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [StateFact]
    public async Task The_signed_storage_url_of_a_non_image_downloads_as_a_file()
    {
        var uploaded = await fixture.UploadOkAsync("alice", System.Text.Encoding.UTF8.GetBytes($"{Html}{Guid.NewGuid()}"), "text/html");
        using var alice = fixture.Client("alice");
        var signed = await alice.GetFromJsonAsync<SignedUrl>($"/attachments/{uploaded.AttachmentId}/url");

        using var storage = new HttpClient();
        using var response = await storage.GetAsync(signed!.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [StateFact]
    public async Task A_query_string_token_is_accepted_for_content_and_thumbnail_only()
    {
        var uploaded = await fixture.UploadOkAsync("alice", Png.Solid(40, 30), "image/png");
        var token = Uri.EscapeDataString(fixture.Tokens.For("alice"));
        var id = uploaded.AttachmentId;
        using var browser = fixture.Client();

        using var content = await browser.GetAsync($"/attachments/{id}/content?access_token={token}");
        using var thumbnail = await browser.GetAsync($"/attachments/{id}/thumbnail?access_token={token}");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/attachments/{id}"),
            (HttpMethod.Get, $"/attachments/{id}/url"),
            (HttpMethod.Post, "/uploads"),
            (HttpMethod.Post, "/attachments"),
            (HttpMethod.Post, "/attachments/validate"),
        })
        {
            using var request = new HttpRequestMessage(method, $"{path}?access_token={token}");
            if (method == HttpMethod.Post)
            {
                request.Content = JsonContent.Create(new { sha256 = new string('a', 64), size = 1, contentType = "text/plain", userId = "alice", attachmentIds = new[] { id } });
            }
            using var response = await browser.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} to a query-string token");
            Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
        }
    }

    private async Task<string> CreateForKnownContentAsync(string userId, byte[] content, string contentType)
    {
        using var user = fixture.Client(userId);
        using var response = await user.PostAsJsonAsync("/attachments",
            new { sha256 = MediaFixture.Sha256Of(content), size = content.Length, contentType });
        var created = (await response.Content.ReadFromJsonAsync<Created>())!;
        Assert.True(created.AlreadyUploaded);
        return created.AttachmentId;
    }

    private sealed record Created(string AttachmentId, bool AlreadyUploaded);

    private sealed record SignedUrl(string Url, DateTimeOffset ExpiresAt);
}
