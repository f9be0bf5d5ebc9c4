using System.Net;
using Natter.Contracts;
using Natter.Functional.Tests.Infrastructure;
using static Natter.Functional.Tests.Infrastructure.FunctionalClients;

namespace Natter.Functional.Tests.Retention;

/// <summary>Attachment retention across the gateway, ChatService and MediaService, with the shared clock moved a month.</summary>
[Collection(FunctionalCollection.Name)]
public sealed class MediaRetentionTests(FunctionalHost host)
{
    private readonly FunctionalClients _clients = new(host);

    [Fact]
    public async Task Sent_and_unsent_attachments_and_their_blobs_are_gone_after_30_simulated_days()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _clients.ConnectReadyAsync(alice, NewId("a1"));
        var sentContent = RandomBytes(4000);
        var unsentContent = RandomBytes(4000);
        var sent = await UploadThroughWebSocketAsync(a, sentContent, "application/octet-stream");
        var unsent = await UploadThroughWebSocketAsync(a, unsentContent, "application/octet-stream");
        var chat = await a.CreateChatAsync([bob]);
        Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, "a file", [sent])).Status);

        await host.PassDaysAsync(29);
        using (var asBob = await _clients.MediaClientForAsync(bob))
        {
            Assert.Equal(sentContent, await asBob.GetByteArrayAsync($"/attachments/{sent}/content"));
        }

        await host.PassDaysAsync(2);

        Assert.All(host.Media.Cron.Statuses, status => Assert.Equal(200, status));
        using var asAlice = await _clients.MediaClientForAsync(alice);
        foreach (var id in new[] { sent, unsent })
        {
            using var gone = await asAlice.GetAsync($"/attachments/{id}/content");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        var blobs = await _clients.BlobNamesAsync("attachments");
        Assert.DoesNotContain(Sha256Hex(sentContent), blobs);
        Assert.DoesNotContain(Sha256Hex(unsentContent), blobs);
    }
}
