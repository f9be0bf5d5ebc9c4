using System.Net;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>Retention with the shared test clock (Natter:TestClock) moved forward through POST /dev/clock, as the E2E suite does.</summary>
[Collection(MediaCollection.Name)]
public sealed class RetentionTests(MediaFixture fixture)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [StateFact]
    public async Task Never_referenced_attachment_and_its_blob_go_30_days_after_upload()
    {
        var content = MediaFixture.RandomBytes(2000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        using var alice = fixture.Client("alice");

        await fixture.AdvanceClockAsync(29 * Day);
        await AssertKeptThenGoneAsync(alice, uploaded, content);
    }

    [StateFact]
    public async Task Referenced_attachment_stays_30_days_after_its_latest_reference()
    {
        var content = MediaFixture.RandomBytes(3000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-r", "m1", ["alice", "bob"], uploaded.AttachmentId);
        using var bob = fixture.Client("bob");

        // A second message 20 days later keeps it another 30 days from then, past the first message's 30.
        await fixture.AdvanceClockAsync(20 * Day);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-r", "m2", ["alice", "bob"], uploaded.AttachmentId);
        await fixture.AdvanceClockAsync(29 * Day);
        await AssertKeptThenGoneAsync(bob, uploaded, content);
    }

    [StateFact]
    public async Task Deleting_the_last_reference_starts_30_days_of_retention()
    {
        var content = MediaFixture.RandomBytes(3000);
        var uploaded = await fixture.UploadOkAsync("alice", content);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-d", "m1", ["alice", "bob"], uploaded.AttachmentId);
        await ChatReferences.SendInChatAsync(fixture, "alice", "chat-d", "m2", ["alice", "bob"], uploaded.AttachmentId);
        await fixture.AdvanceClockAsync(10 * Day);

        await ChatReferences.DeleteMessageAsync(fixture, "chat-d", "m1", uploaded.AttachmentId);
        await ChatReferences.DeleteMessageAsync(fixture, "chat-d", "m2", uploaded.AttachmentId);
        await fixture.AdvanceClockAsync(29 * Day);
        using var alice = fixture.Client("alice");
        await AssertKeptThenGoneAsync(alice, uploaded, content);
    }

    [StateFact]
    public async Task Shared_blob_survives_while_another_attachment_still_uses_it()
    {
        var content = MediaFixture.RandomBytes(4000);
        var expiring = await fixture.UploadOkAsync("alice", content);
        var kept = await fixture.UploadOkAsync("bob", content);
        // Referenced 20 days in, so it is kept until day 50 while the unreferenced one goes at day 30.
        await fixture.AdvanceClockAsync(20 * Day);
        await ChatReferences.SendInChatAsync(fixture, "bob", "chat-s", "m1", ["bob", "carol"], kept.AttachmentId);

        await fixture.AdvanceClockAsync(11 * Day);
        await fixture.RunCleanupAsync();

        using var alice = fixture.Client("alice");
        using var expired = await alice.GetAsync($"/attachments/{expiring.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        using var carol = fixture.Client("carol");
        Assert.Equal(content, await carol.GetByteArrayAsync($"/attachments/{kept.AttachmentId}/content"));
        Assert.Contains(kept.Sha256, await fixture.BlobNamesAsync("attachments"));
    }

    [StateFact]
    public async Task Concurrent_sweeps_delete_each_expired_attachment_once()
    {
        var uploads = new List<UploadedAttachment>();
        for (var i = 0; i < 5; i++)
        {
            uploads.Add(await fixture.UploadOkAsync("erin", MediaFixture.RandomBytes(1000 + i)));
        }
        await fixture.AdvanceClockAsync(31 * Day);

        // Every sidecar fires its own cron: three sweeps at once.
        var reports = await Task.WhenAll(fixture.RunCleanupAsync(), fixture.RunCleanupAsync(), fixture.RunCleanupAsync());

        var names = await fixture.BlobNamesAsync("attachments");
        Assert.All(uploads, u => Assert.DoesNotContain(u.Sha256, names));
        Assert.True(reports.Sum(r => r.AttachmentsDeleted) >= uploads.Count);
        using var erin = fixture.Client("erin");
        foreach (var upload in uploads)
        {
            using var response = await erin.GetAsync($"/attachments/{upload.AttachmentId}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Cron_binding_probe_is_answered()
    {
        using var client = fixture.SidecarClient();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/cleanup"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>After a sweep the attachment still downloads; two days and a sweep later, it and its blob are gone.</summary>
    private async Task AssertKeptThenGoneAsync(HttpClient reader, UploadedAttachment uploaded, byte[] content)
    {
        await fixture.RunCleanupAsync();
        Assert.Equal(content, await reader.GetByteArrayAsync($"/attachments/{uploaded.AttachmentId}/content"));

        await fixture.AdvanceClockAsync(2 * Day);
        await fixture.RunCleanupAsync();
        using var gone = await reader.GetAsync($"/attachments/{uploaded.AttachmentId}/content");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(uploaded.Sha256, await fixture.BlobNamesAsync("attachments"));
    }
}
