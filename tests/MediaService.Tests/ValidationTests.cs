using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>sendMessage's check, as ChatService calls it.</summary>
[Collection(MediaCollection.Name)]
public sealed class ValidationTests(MediaFixture fixture)
{
    [StateFact]
    public async Task Valid_attachments_come_back_with_the_metadata_for_the_message()
    {
        var content = MediaFixture.RandomBytes(4321);
        var uploaded = await fixture.UploadOkAsync("alice", content, "application/pdf");
        using var alice = fixture.Client("alice");

        using var response = await alice.PostAsJsonAsync("/attachments/validate",
            new { userId = "alice", chatId = "c1", attachmentIds = new[] { uploaded.AttachmentId } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Validated>();
        var info = Assert.Single(body!.Attachments);
        Assert.Equal((uploaded.AttachmentId, 4321L, "application/pdf", MediaFixture.Sha256Of(content), (string?)null),
            (info.AttachmentId, info.Size, info.ContentType, info.Sha256, info.ThumbnailUrl));
    }

    [StateFact]
    public async Task Another_users_attachment_is_not_found_for_the_sender()
    {
        var uploaded = await fixture.UploadOkAsync("alice", MediaFixture.RandomBytes(100));
        using var bob = fixture.Client("bob");

        using var response = await bob.PostAsJsonAsync("/attachments/validate",
            new { userId = "bob", chatId = "c1", attachmentIds = new[] { uploaded.AttachmentId } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ErrorBody>();
        Assert.Equal(("attachment_not_found", uploaded.AttachmentId), (error!.Code, error.AttachmentId));
    }

    [Fact]
    public async Task More_than_ten_attachments_are_refused()
    {
        using var alice = fixture.Client("alice");
        var ids = Enumerable.Range(0, 11).Select(i => Guid.NewGuid().ToString("N")).ToArray();

        using var response = await alice.PostAsJsonAsync("/attachments/validate", new { userId = "alice", chatId = "c1", attachmentIds = ids });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("too_many_attachments", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    [Fact]
    public async Task Validation_for_another_user_with_ones_own_token_is_unauthorized()
    {
        using var mallory = fixture.Client("mallory");

        using var response = await mallory.PostAsJsonAsync("/attachments/validate",
            new { userId = "alice", chatId = "c1", attachmentIds = new[] { Guid.NewGuid().ToString("N") } });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private sealed record Validated(AttachmentInfoBody[] Attachments);

    private sealed record AttachmentInfoBody(string AttachmentId, long Size, string ContentType, string Sha256, string? ThumbnailUrl);
}
