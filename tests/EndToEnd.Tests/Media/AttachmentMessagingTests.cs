using System.Net;
using System.Net.Http.Headers;
using Natter.Client;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Media;

/// <summary>Attachments end to end: createAttachment on the WebSocket, the upload to MediaService, a message, a download.</summary>
[Collection(NatterAppCollection.Name)]
public sealed class AttachmentMessagingTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);
    private readonly MediaHarness _media = new(fixture);

    [Fact]
    public async Task An_attachment_sent_in_a_message_is_downloaded_by_the_recipient_and_nobody_else()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        var chat = await a.CreateChatAsync([bob]);
        var document = MediaHarness.RandomBytes(300_000);
        var photo = await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.TinyPng, "image/png");
        var file = await MediaHarness.UploadThroughWebSocketAsync(a, document, "application/pdf");

        var sent = await a.SendMessageAsync(chat.ChatId, "the contract and a photo", [file, photo]);

        Assert.Equal(SendStatus.Success, sent.Status);
        var received = (await NextMessageAsync(b)).Message!;
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal([file, photo], received.Attachments.Select(x => x.AttachmentId));
        var (fileInfo, photoInfo) = (received.Attachments[0], received.Attachments[1]);
        Assert.Equal((document.Length, "application/pdf", MediaHarness.Sha256Hex(document), (string?)null),
            (fileInfo.Size, fileInfo.ContentType, fileInfo.Sha256, fileInfo.ThumbnailUrl));
        Assert.Equal(MediaHarness.Sha256Hex(MediaHarness.TinyPng), photoInfo.Sha256);
        Assert.NotNull(photoInfo.ThumbnailUrl);

        using var asBob = await _media.ClientForAsync(bob);
        Assert.Equal(document, await asBob.GetByteArrayAsync($"/attachments/{file}/content"));
        using var thumbnail = await asBob.GetAsync(photoInfo.ThumbnailUrl);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{file}/content");
        range.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await asBob.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(document[1000..2000], await partial.Content.ReadAsByteArrayAsync());

        // Not a member: the same 404 as for an attachment that does not exist. No token: 401.
        using var asCarol = await _media.ClientForAsync(carol);
        using var refused = await asCarol.GetAsync($"/attachments/{file}/content");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using var anonymous = _media.Anonymous();
        using var unauthenticated = await anonymous.GetAsync($"/attachments/{file}/content");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task Known_content_is_ready_at_once_without_an_upload()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var content = MediaHarness.RandomBytes(50_000);
        await MediaHarness.UploadThroughWebSocketAsync(a, content, "video/mp4");

        var again = await b.CreateAttachmentAsync(MediaHarness.Sha256Hex(content), content.Length, "video/mp4");

        Assert.True(again.AlreadyUploaded);
        var chat = await b.CreateChatAsync([alice]);
        Assert.Equal(SendStatus.Success, (await b.SendMessageAsync(chat.ChatId, "same video", [again.AttachmentId])).Status);
        Assert.Equal(again.AttachmentId, (await NextMessageAsync(a)).Message!.Attachments.Single().AttachmentId);
    }

    [Fact]
    public async Task Attachments_the_sender_may_not_use_are_refused_and_nothing_is_stored()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob]);
        var bobs = await MediaHarness.UploadThroughWebSocketAsync(b, MediaHarness.RandomBytes(1000), "application/octet-stream");
        var content = MediaHarness.RandomBytes(1000);
        var notUploaded = await a.CreateAttachmentAsync(MediaHarness.Sha256Hex(content), content.Length, "application/octet-stream");
        var own = await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.RandomBytes(1000), "application/octet-stream");

        await AssertRefusedAsync(a, chat.ChatId, [bobs], ErrorCodes.InvalidAttachment);
        await AssertRefusedAsync(a, chat.ChatId, [notUploaded.AttachmentId], ErrorCodes.InvalidAttachment);
        await AssertRefusedAsync(a, chat.ChatId, [own, "0123456789abcdef0123456789abcdef"], ErrorCodes.InvalidAttachment);
        await AssertRefusedAsync(a, chat.ChatId, [.. Enumerable.Repeat(own, 11)], ErrorCodes.TooManyAttachments);

        // Nothing was stored: the next message is the chat's first, and the only one bob gets.
        var accepted = await a.SendMessageAsync(chat.ChatId, "just mine", [own]);
        Assert.Equal(1, accepted.Seq);
        Assert.Equal(accepted.MessageId, (await NextMessageAsync(b)).Message!.MessageId);
    }

    [Theory]
    [InlineData("not-hex", 10, "image/png", ErrorCodes.InvalidField)]
    [InlineData(null, 0, "image/png", ErrorCodes.InvalidField)]
    [InlineData(null, 10, "png", ErrorCodes.InvalidField)]
    [InlineData(null, 100L * 1024 * 1024 + 1, "video/mp4", ErrorCodes.AttachmentTooLarge)]
    public async Task Bad_createAttachment_gets_an_error_and_the_connection_stays(string? hash, long size, string contentType, string code)
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));

        var error = await Assert.ThrowsAsync<NatterErrorException>(() =>
            a.CreateAttachmentAsync(hash ?? new string('a', 64), size, contentType));

        Assert.Equal(code, error.Code);
        Assert.NotNull(await a.ListChatsAsync());
    }

    private static async Task AssertRefusedAsync(NatterClient client, string chatId, string[] attachments, string code)
    {
        var result = await client.SendMessageAsync(chatId, "with attachments", attachments);
        Assert.Equal((SendStatus.Failure, code), (result.Status, result.Code));
    }
}
