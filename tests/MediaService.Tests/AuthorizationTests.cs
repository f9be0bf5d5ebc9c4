using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>
/// Who may grant and who may read (docs/MEDIA.md, trust model): only ChatService's service key grants, and a reader
/// other than the uploader must still be a member of a chat the attachment was sent in.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class AuthorizationTests(MediaFixture fixture)
{
    [StateFact]
    public async Task References_made_with_a_user_token_are_forbidden_and_grant_nothing()
    {
        var uploaded = await fixture.UploadOkAsync("alice", MediaFixture.RandomBytes(2000));
        using var alice = fixture.Client("alice");

        using var response = await alice.PostAsJsonAsync("/attachments/references", new
        {
            userId = "alice", chatId = "chat-self-grant", messageId = "m1",
            attachmentIds = new[] { uploaded.AttachmentId }, memberIds = new[] { "alice", "mallory" },
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
        fixture.Membership.Join("chat-self-grant", ["alice", "mallory"]);
        using var mallory = fixture.Client("mallory");
        using var download = await mallory.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
    }

    [StateFact]
    public async Task Removing_references_with_a_user_token_is_forbidden_and_keeps_them()
    {
        var content = MediaFixture.RandomBytes(2000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-keep", "m1", ["alice", "bob"], uploaded.AttachmentId);
        using var bob = fixture.Client("bob");

        using var response = await bob.DeleteAsync(ChatReferences.DeletePath("chat-keep", "m1", uploaded.AttachmentId));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(content, await bob.GetByteArrayAsync($"/attachments/{uploaded.AttachmentId}/content"));
    }

    [StateTheory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-the-service-key")]
    public async Task References_without_the_right_service_key_are_unauthorized(string? key)
    {
        var uploaded = await fixture.UploadOkAsync("alice", MediaFixture.RandomBytes(2000));
        using var caller = fixture.Client();
        if (key is not null)
        {
            caller.DefaultRequestHeaders.TryAddWithoutValidation(Natter.Contracts.MediaHeaders.InternalKey, key);
        }

        using var response = await caller.PostAsJsonAsync("/attachments/references", new
        {
            userId = "alice", chatId = "chat-nokey", messageId = "m1",
            attachmentIds = new[] { uploaded.AttachmentId }, memberIds = new[] { "alice", "mallory" },
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    [StateFact]
    public async Task A_removed_member_can_no_longer_read_the_attachment_in_any_form()
    {
        var uploaded = await fixture.UploadOkAsync("alice", Png.Solid(64, 48), "image/png");
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-removal", "m1", ["alice", "bob"], uploaded.AttachmentId);
        using var bob = fixture.Client("bob");
        var id = uploaded.AttachmentId;
        using (var before = await bob.GetAsync($"/attachments/{id}/content"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        fixture.Membership.Remove("chat-removal", "bob");

        foreach (var path in new[] { $"/attachments/{id}", $"/attachments/{id}/content", $"/attachments/{id}/thumbnail", $"/attachments/{id}/url" })
        {
            using var after = await bob.GetAsync(path);
            Assert.True(after.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)after.StatusCode} to a removed member");
        }
    }

    [StateFact]
    public async Task A_removed_member_cannot_forward_the_attachment_into_another_chat()
    {
        var uploaded = await fixture.UploadOkAsync("alice", MediaFixture.RandomBytes(3000));
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-forward", "m1", ["alice", "bob"], uploaded.AttachmentId);
        fixture.Membership.Remove("chat-forward", "bob");
        using var chatService = fixture.ServiceClient();

        using var response = await chatService.PostAsJsonAsync("/attachments/references", new
        {
            userId = "bob", chatId = "chat-elsewhere", messageId = "m1",
            attachmentIds = new[] { uploaded.AttachmentId }, memberIds = new[] { "bob", "eve" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("attachment_not_found", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    [StateFact]
    public async Task The_uploader_keeps_access_after_leaving_the_chat_without_a_membership_question()
    {
        var content = MediaFixture.RandomBytes(3000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-left", "m1", ["alice", "bob"], uploaded.AttachmentId);
        fixture.Membership.Remove("chat-left", "alice");
        using var alice = fixture.Client("alice");
        var questions = fixture.Membership.Questions;

        Assert.Equal(content, await alice.GetByteArrayAsync($"/attachments/{uploaded.AttachmentId}/content"));
        Assert.Equal(questions, fixture.Membership.Questions);
    }

    [StateFact]
    public async Task Someone_who_joins_after_the_message_was_sent_cannot_read_it()
    {
        var uploaded = await fixture.UploadOkAsync("alice", MediaFixture.RandomBytes(3000));
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-late", "m1", ["alice", "bob"], uploaded.AttachmentId);

        fixture.Membership.Join("chat-late", ["carol"]);

        using var carol = fixture.Client("carol");
        using var response = await carol.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [StateFact]
    public async Task Another_users_token_cannot_upload_to_an_attachment_it_does_not_own()
    {
        var content = MediaFixture.RandomBytes(1000);
        using var service = fixture.ServiceClient();
        using var created = await service.PostAsJsonAsync("/attachments",
            new { sha256 = MediaFixture.Sha256Of(content), size = content.Length, contentType = "application/pdf", userId = "alice" });
        var id = (await created.Content.ReadFromJsonAsync<Created>())!.AttachmentId;
        using var mallory = fixture.Client("mallory");

        using var response = await mallory.PutAsync($"/uploads/{id}", new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var alice = fixture.Client("alice");
        using var head = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/uploads/{id}"));
        Assert.Equal("0", head.Headers.GetValues("Upload-Offset").Single());
    }

    private sealed record Created(string AttachmentId, string UploadUrl, bool AlreadyUploaded);
}
