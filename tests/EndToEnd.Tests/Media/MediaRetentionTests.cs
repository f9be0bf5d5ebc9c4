using System.Net;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Security;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Media;

/// <summary>Attachment retention through the AppHost, with every service's clock moved forward a month.</summary>
[Collection(TestClockCollection.Name)]
public sealed class MediaRetentionTests(TestClockAppFixture fixture)
{

    private readonly MessagingHarness _harness = new(fixture);
    private readonly MediaHarness _media = new(fixture);

    [Fact]
    public async Task Sent_and_unsent_attachments_and_their_blobs_are_gone_after_30_simulated_days()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var sentContent = MediaHarness.RandomBytes(4000);
        var unsentContent = MediaHarness.RandomBytes(4000);
        var sent = await MediaHarness.UploadThroughWebSocketAsync(a, sentContent, "application/octet-stream");
        var unsent = await MediaHarness.UploadThroughWebSocketAsync(a, unsentContent, "application/octet-stream");
        var chat = await a.CreateChatAsync([bob]);
        Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, "a file", [sent])).Status);

        await fixture.AdvanceClocksAsync(TimeSpan.FromDays(29));
        await SweepAsync();
        using (var asBob = await _media.ClientForAsync(bob))
        {
            Assert.Equal(sentContent, await asBob.GetByteArrayAsync($"/attachments/{sent}/content"));
        }

        await fixture.AdvanceClocksAsync(TimeSpan.FromDays(2));
        await SweepAsync();

        using var asAlice = await _media.ClientForAsync(alice);
        foreach (var id in new[] { sent, unsent })
        {
            using var gone = await asAlice.GetAsync($"/attachments/{id}/content");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        var blobs = await _media.BlobNamesAsync("attachments");
        Assert.DoesNotContain(MediaHarness.Sha256Hex(sentContent), blobs);
        Assert.DoesNotContain(MediaHarness.Sha256Hex(unsentContent), blobs);
    }

    /// <summary>What the cron binding does daily: MediaService's sweep.</summary>
    private async Task SweepAsync()
    {
        using var http = await fixture.AsSidecarAsync("mediaservice");
        using var response = await http.PostAsync(new Uri("/cleanup", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
    }
}
