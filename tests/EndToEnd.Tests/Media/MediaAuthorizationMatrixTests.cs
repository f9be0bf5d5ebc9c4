using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Media;

/// <summary>
/// MediaService's rows of the authorisation matrix, through the real AppHost: every row is one attempt that must be
/// refused with its documented status and code (docs/MEDIA.md), and afterwards nothing was stored or granted.
/// A removed member is asked about through MediaService's own sidecar to the real chat actor.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class MediaAuthorizationMatrixTests(NatterAppFixture fixture)
{
    private readonly Messaging.MessagingHarness _harness = new(fixture);
    private readonly MediaHarness _media = new(fixture);

    private sealed record Row(string Name, Func<Task<HttpResponseMessage>> Attempt, HttpStatusCode Status, string Code);

    [Fact]
    public async Task Every_media_attempt_outside_the_trust_model_is_refused_with_its_code()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol"), mallory = NewId("mallory");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"));
        var chat = await a.CreateChatAsync([bob, carol]);
        var photo = await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.TinyPng, "image/png");
        var file = await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.RandomBytes(5000), "application/pdf");
        var unshared = await MediaHarness.UploadThroughWebSocketAsync(a, MediaHarness.RandomBytes(5000), "application/pdf");
        var pendingContent = MediaHarness.RandomBytes(4000);
        var pending = await a.CreateAttachmentAsync(MediaHarness.Sha256Hex(pendingContent), pendingContent.Length, "application/pdf");
        Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, "photo and file", [photo, file])).Status);
        await NextMessageAsync(b);
        using var asBob = await _media.ClientForAsync(bob);
        using var asCarol = await _media.ClientForAsync(carol);
        using var asMallory = await _media.ClientForAsync(mallory);
        using var asAlice = await _media.ClientForAsync(alice);
        using var anonymous = _media.Anonymous();
        // The controls: while a member, carol reads; bob reads throughout. The refusals below are not an outage.
        Assert.Equal(HttpStatusCode.OK, (await asCarol.GetAsync($"/attachments/{file}/content")).StatusCode);
        Assert.DoesNotContain(carol, (await a.ModifyChatParticipantsAsync(chat.ChatId, carol, ParticipantOperations.Remove)).Participants);
        var aliceToken = asAlice.DefaultRequestHeaders.Authorization!.Parameter!;

        Row[] rows =
        [
            .. Reads("non-member", asMallory, photo, file),
            .. Reads("removed member", asCarol, photo, file),
            new("another user's attachment id: content", () => asBob.GetAsync($"/attachments/{unshared}/content"), HttpStatusCode.NotFound, "not_found"),
            new("another user's attachment id: upload with own token", () => asMallory.PutAsync($"/uploads/{pending.AttachmentId}", new ByteArrayContent(pendingContent)), HttpStatusCode.NotFound, "not_found"),
            new("another user's attachment id: resumable chunk with own token", () => Patch(asMallory, $"/uploads/{pending.AttachmentId}", pendingContent), HttpStatusCode.NotFound, "not_found"),
            new("upload url with a tampered signature", () => anonymous.PutAsync(pending.UploadUrl.Replace("sig=", "sig=x", StringComparison.Ordinal), new ByteArrayContent(pendingContent)), HttpStatusCode.Unauthorized, "unauthorized"),
            new("references granted with a user token", () => Grant(asAlice, alice, mallory, photo), HttpStatusCode.Forbidden, "forbidden"),
            new("references removed with a user token", () => asBob.DeleteAsync($"/attachments/references?chatId={chat.ChatId}&messageId=m&attachmentId={file}"), HttpStatusCode.Forbidden, "forbidden"),
            new("references with no service key", () => Grant(anonymous, alice, mallory, photo), HttpStatusCode.Unauthorized, "unauthorized"),
            new("references with a wrong service key", () => Grant(WithKey("wrong-key-0123456789"), alice, mallory, photo), HttpStatusCode.Unauthorized, "unauthorized"),
            new("references with an empty service key", () => Grant(WithKey(""), alice, mallory, photo), HttpStatusCode.Unauthorized, "unauthorized"),
            new("validate with a wrong service key", () => WithKey("wrong-key-0123456789").PostAsJsonAsync("/attachments/validate", new { userId = alice, chatId = chat.ChatId, attachmentIds = new[] { photo } }), HttpStatusCode.Unauthorized, "unauthorized"),
            new("createAttachment for another user with a wrong service key", () => WithKey("wrong-key-0123456789").PostAsJsonAsync("/attachments", new { sha256 = new string('a', 64), size = 10, contentType = "text/plain", userId = alice }), HttpStatusCode.Unauthorized, "unauthorized"),
            new("query-string token on metadata", () => anonymous.GetAsync($"/attachments/{file}?access_token={aliceToken}"), HttpStatusCode.Unauthorized, "unauthorized"),
            new("query-string token on the signed-url endpoint", () => anonymous.GetAsync($"/attachments/{file}/url?access_token={aliceToken}"), HttpStatusCode.Unauthorized, "unauthorized"),
            new("no token on content", () => anonymous.GetAsync($"/attachments/{file}/content"), HttpStatusCode.Unauthorized, "unauthorized"),
        ];

        var wrong = new List<string>();
        foreach (var row in rows)
        {
            using var response = await row.Attempt();
            var code = await CodeOfAsync(response);
            if (response.StatusCode != row.Status || code != row.Code)
            {
                wrong.Add($"{row.Name}: expected {(int)row.Status} {row.Code}, got {(int)response.StatusCode} {code}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {rows.Length} rows were not refused as documented:\n{string.Join('\n', wrong)}");
        // Nothing stored or granted: mallory still cannot read, the pending upload has no bytes, bob still reads.
        Assert.Equal(HttpStatusCode.NotFound, (await asMallory.GetAsync($"/attachments/{photo}/content")).StatusCode);
        Assert.Equal(0, await MediaHarness.OffsetAsync(pending.UploadUrl));
        Assert.Equal(HttpStatusCode.OK, (await asBob.GetAsync($"/attachments/{file}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asAlice.GetAsync($"/attachments/{file}/content")).StatusCode);
    }

    private static IEnumerable<Row> Reads(string who, HttpClient client, string photo, string file) =>
    [
        new($"{who}: content", () => client.GetAsync($"/attachments/{file}/content"), HttpStatusCode.NotFound, "not_found"),
        new($"{who}: metadata", () => client.GetAsync($"/attachments/{file}"), HttpStatusCode.NotFound, "not_found"),
        new($"{who}: thumbnail", () => client.GetAsync($"/attachments/{photo}/thumbnail"), HttpStatusCode.NotFound, "not_found"),
        new($"{who}: signed download url", () => client.GetAsync($"/attachments/{file}/url"), HttpStatusCode.NotFound, "not_found"),
    ];

    private HttpClient WithKey(string key)
    {
        var http = _media.Anonymous();
        http.DefaultRequestHeaders.TryAddWithoutValidation(MediaHeaders.InternalKey, key);
        return http;
    }

    private static Task<HttpResponseMessage> Grant(HttpClient client, string sender, string grantee, string attachmentId) =>
        client.PostAsJsonAsync("/attachments/references", new AddReferencesRequest(
            sender, NewId("chat"), NewId("m"), [attachmentId], [sender, grantee]), NatterJson.Options);

    private static Task<HttpResponseMessage> Patch(HttpClient client, string path, byte[] chunk)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = new ByteArrayContent(chunk) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        request.Headers.Add("Upload-Offset", "0");
        return client.SendAsync(request);
    }

    private static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
