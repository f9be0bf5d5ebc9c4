using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;
using static Natter.EndToEnd.Tests.WebClient.WebClientBrowser;

namespace Natter.EndToEnd.Tests.WebClient;

/// <summary>
/// The web client in real Chromium, two users in two browser contexts, one on each gateway: everything is asserted
/// through what the page shows, as a person would see it.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class WebClientTests(NatterAppFixture fixture) : IAsyncLifetime
{
    private WebClientBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await LaunchAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Two_users_chat_reply_and_react_across_both_gateways()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, NewId("laptop"), "gateway-b");

        await CreateChatAsync(a, bob);
        await SendAsync(a, "Lunch tomorrow?");
        await ChatItem(b, alice).ClickAsync();
        await Expect(Message(b, "Lunch tomorrow?")).ToHaveClassAsync("message theirs");

        await MessageActionAsync(b, "Lunch tomorrow?", "reply");
        await Expect(b.Locator("#compose-context")).ToContainTextAsync("Reply to " + alice);
        await SendAsync(b, "Yes! 12:30 at the usual place");
        await MessageActionAsync(b, "Lunch tomorrow?", "react-👍");

        var reply = Message(a, "Yes! 12:30 at the usual place");
        await Expect(reply.Locator(".quote")).ToContainTextAsync("Lunch tomorrow?");
        await Expect(Message(a, "Lunch tomorrow?").Locator(".reactions")).ToHaveTextAsync("👍");
        await SendAsync(a, "Perfect, see you there 🙂");
        await Expect(Message(b, "Perfect, see you there")).ToBeVisibleAsync();
        await Expect(a.Locator("#chat-status")).ToHaveTextAsync("online");

        await ScreenshotAsync(a, "alice");
        await ScreenshotAsync(b, "bob");
    }

    [Fact]
    public async Task An_image_sent_by_one_user_shows_as_a_thumbnail_for_the_other_and_opens_full_size()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, NewId("laptop"), "gateway-b");
        await CreateChatAsync(a, bob);

        // A 900x600 picture drawn by the browser: big enough to travel in several resumable chunks.
        var png = Convert.FromBase64String(await a.EvaluateAsync<string>(DrawPicture));
        Assert.True(png.Length > 256 * 1024, $"the picture ({png.Length} bytes) spans more than one 256 KiB chunk");
        // The second chunk's connection breaks: the page must ask MediaService where it stands (HEAD) and resume.
        int patches = 0, heads = 0;
        await a.RouteAsync("**/uploads/**", async route =>
        {
            heads += route.Request.Method == "HEAD" ? 1 : 0;
            if (route.Request.Method == "PATCH" && Interlocked.Increment(ref patches) == 2)
            {
                await route.AbortAsync();
                return;
            }
            await route.ContinueAsync();
        });
        await a.Locator("#attach").SetInputFilesAsync(new FilePayload { Name = "harbour.png", MimeType = "image/png", Buffer = png });
        await Expect(a.Locator("#upload-progress")).ToBeVisibleAsync();

        var thumbnail = b.Locator(".message.theirs img[data-attachment-id]");
        await ChatItem(b, alice).ClickAsync();
        await Expect(thumbnail).ToBeVisibleAsync();
        // Loaded from MediaService's thumbnail route, decoded by the browser: a real picture, not a broken icon.
        await b.WaitForFunctionAsync("() => { const i = document.querySelector('img[data-attachment-id]'); return i && i.complete && i.naturalWidth > 0; }");
        Assert.Contains("/thumbnail?access_token=", await thumbnail.GetAttributeAsync("src"));
        Assert.InRange(await thumbnail.EvaluateAsync<int>("i => i.naturalWidth"), 100, 320); // MediaService: ≤ 320 px
        await Expect(ChatItem(b, alice)).ToContainTextAsync("Photo");
        await ScreenshotAsync(b, "bob-thumbnail");
        Assert.True(heads >= 1, "the broken upload resumed from the offset MediaService reported");
        Assert.True(patches >= 3, $"the upload went in chunks, the broken one again ({patches} PATCHes)");

        await thumbnail.ClickAsync();
        await Expect(b.Locator("#viewer")).ToBeVisibleAsync();
        await b.WaitForFunctionAsync("() => { const i = document.getElementById('viewer-image'); return i.complete && i.naturalWidth === 900; }");
        await ScreenshotAsync(b, "bob-full-image");
        await ScreenshotAsync(a, "alice");
    }

    [Fact]
    public async Task Ticks_turn_from_sent_to_delivered_to_read()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobDevice = NewId("phone");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, bobDevice, "gateway-b", Phone);
        await CreateChatAsync(a, bob);
        await Expect(ChatItem(b, alice)).ToBeVisibleAsync();
        var bobContext = b.Context;
        await b.CloseAsync();

        // Bob's only device is offline: stored for him, delivered to nobody yet.
        await SendAsync(a, "Are you there?");
        var tick = Message(a, "Are you there?").Locator(".tick");
        await Expect(tick).ToHaveAttributeAsync("data-tick", "sent");
        await Expect(tick).ToHaveTextAsync("✓");

        // Bob's device comes back (same browser storage, same device) and acknowledges the message: delivered.
        b = await _browser.SignInOnAsync(await bobContext.NewPageAsync(), bob, bobDevice, "gateway-b");
        await Expect(tick).ToHaveAttributeAsync("data-tick", "delivered");
        await Expect(ChatItem(b, alice).Locator(".unread")).ToHaveTextAsync("1");
        await ScreenshotAsync(b, "bob-unread");

        // Bob opens the chat: read, blue ticks, and the unread badge is gone.
        await ChatItem(b, alice).ClickAsync();
        await Expect(tick).ToHaveAttributeAsync("data-tick", "read");
        await Expect(tick).ToHaveCSSAsync("color", "rgb(52, 183, 241)");
        await b.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await Expect(ChatItem(b, alice).Locator(".unread")).ToHaveCountAsync(0);
        await ScreenshotAsync(a, "alice");
    }

    [Fact]
    public async Task Typing_appears_while_the_other_types_and_goes_away_when_they_send()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, NewId("phone"), "gateway-b", Phone);
        await CreateChatAsync(a, bob);
        await ChatItem(b, alice).ClickAsync();
        var status = b.Locator("#chat-status");
        await Expect(status).ToHaveTextAsync("online");

        await a.Locator("#text").PressSequentiallyAsync("I'm writing you a long");
        await Expect(status).ToHaveTextAsync("typing…");
        await ScreenshotAsync(b, "bob-sees-typing");

        await a.Locator("#text").PressAsync("Enter");
        await Expect(Message(b, "I'm writing you a long")).ToBeVisibleAsync();
        await Expect(status).Not.ToHaveTextAsync("typing…");
        await Expect(status).ToHaveTextAsync("online");
    }

    [Fact]
    public async Task A_message_is_edited_and_then_deleted_for_everyone()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, NewId("laptop"), "gateway-b");
        await CreateChatAsync(a, bob);
        await SendAsync(a, "See you at 5");
        await SendAsync(a, "Bring the slides");
        await ChatItem(b, alice).ClickAsync();
        await Expect(Message(b, "See you at 5")).ToBeVisibleAsync();

        await MessageActionAsync(a, "See you at 5", "edit");
        await Expect(a.Locator("#text")).ToHaveValueAsync("See you at 5");
        await a.Locator("#text").FillAsync("See you at 6");
        await a.Locator("#text").PressAsync("Enter");
        await Expect(Message(b, "See you at 6").Locator(".edited")).ToHaveTextAsync("edited");
        await Expect(Message(b, "See you at 5")).ToHaveCountAsync(0);

        // Escape cancels an edit: nothing changes.
        await MessageActionAsync(a, "Bring the slides", "edit");
        await a.Locator("#text").PressAsync("Escape");
        await Expect(a.Locator("#compose-context")).ToBeHiddenAsync();

        await MessageActionAsync(a, "Bring the slides", "delete");
        await Expect(Message(b, "This message was deleted")).ToBeVisibleAsync();
        await Expect(Message(b, "Bring the slides")).ToHaveCountAsync(0);
        await Expect(Message(a, "This message was deleted")).ToBeVisibleAsync();
        await ScreenshotAsync(b, "bob");
    }

    [Fact]
    public async Task The_dashboard_links_to_the_web_client_and_only_its_origin_may_call_gateways_and_media()
    {
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState("webclient", out var state));
        var link = Assert.Single(state.Snapshot.Urls, u => u.DisplayProperties.DisplayName == Natter.AppHost.WebClientExtensions.DisplayName);
        var page = fixture.HttpEndpoint("webclient");
        Assert.Equal(page.Port, new Uri(link.Url).Port);
        var origin = page.GetLeftPart(UriPartial.Authority);

        foreach (var (service, path, method) in new[] { ("gateway-a", "/dev/token", "POST"), ("gateway-b", "/dev/token", "POST"), ("mediaservice", "/uploads/x", "PATCH") })
        {
            Assert.Equal(origin, await PreflightAsync(service, path, method, origin));
            Assert.Null(await PreflightAsync(service, path, method, "http://elsewhere.example"));
        }
    }

    /// <summary>A browser's CORS preflight; answers the Access-Control-Allow-Origin it got, or null.</summary>
    private async Task<string?> PreflightAsync(string service, string path, string method, string origin)
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(service) };
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await http.SendAsync(request);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    // Draws a picture (sky, sea, sun, noise for size) and answers it as base64 PNG.
    private const string DrawPicture = """
        () => {
            const c = document.createElement("canvas");
            c.width = 900; c.height = 600;
            const g = c.getContext("2d");
            const sky = g.createLinearGradient(0, 0, 0, 600);
            sky.addColorStop(0, "#ff9a5a"); sky.addColorStop(0.55, "#ffd27f"); sky.addColorStop(0.56, "#2a6f97"); sky.addColorStop(1, "#013a63");
            g.fillStyle = sky; g.fillRect(0, 0, 900, 600);
            g.fillStyle = "#fff4c2"; g.beginPath(); g.arc(620, 300, 70, 0, Math.PI * 2); g.fill();
            // Ripples on the sea: per-pixel noise, so the PNG cannot compress to a few bytes.
            const sea = g.getImageData(0, 336, 900, 264);
            for (let i = 0; i < sea.data.length; i += 4) { const n = (Math.random() - 0.5) * 40; sea.data[i] += n; sea.data[i + 1] += n; sea.data[i + 2] += n; }
            g.putImageData(sea, 0, 336);
            g.fillStyle = "#1b1b1b"; g.font = "bold 56px sans-serif"; g.fillText("Harbour at dusk", 40, 90);
            return c.toDataURL("image/png").split(",")[1];
        }
        """;
}
