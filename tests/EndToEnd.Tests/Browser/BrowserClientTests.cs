using System.Text.Json;
using Microsoft.Playwright;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Browser;

/// <summary>
/// A real browser (Chromium, headless) as a Natter client: the token goes in the access_token query parameter, because
/// a browser's WebSocket API cannot set an Authorization header. The page uses nothing but the standard WebSocket API.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class BrowserClientTests(NatterAppFixture fixture)
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // The page's client: every frame it receives is kept in window.frames, and each pushed item (whatever its type: a
    // message, a chat update, a receipt, ...) is acknowledged, as PROTOCOL.md §7 asks of every client.
    private const string PageClient = """
        async ([url, token]) => {
            window.frames = [];
            window.socket = new WebSocket(url + "?access_token=" + encodeURIComponent(token));
            window.socket.onmessage = event => {
                const frame = JSON.parse(event.data);
                window.frames.push(frame);
                if (typeof frame.deliveryId === "string") {
                    window.socket.send(JSON.stringify({ type: "RECEIVED", deliveryId: frame.deliveryId }));
                }
            };
            await new Promise((resolve, reject) => { window.socket.onopen = resolve; window.socket.onerror = reject; });
        }
        """;

    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task A_browser_client_chats_with_a_dotnet_client_and_acknowledges_what_it_receives()
    {
        string alice = NewId("alice"), aliceDevice = NewId("browser"), bob = NewId("bob");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        var token = await _harness.TokenAsync("gateway-a", alice, aliceDevice);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.HttpEndpoint("gateway-a"), "/health").ToString());
        await page.EvaluateAsync(PageClient, new[] { _harness.WebSocketUri("gateway-a").ToString(), token });

        await SendAsync(page, new { type = "createChat", requestId = "r1", participants = new[] { bob }, name = "from a browser" });
        var created = await WaitForFrameAsync(page, "createChat.result");
        var chatId = created.GetProperty("chatId").GetString()!;
        await SendAsync(page, new { type = "sendMessage", requestId = "r2", chatId, message = "hello from Chromium", clientMessageId = "b-1" });
        var sent = await WaitForFrameAsync(page, "sendMessage.result");

        Assert.Equal(SendStatus.Success, sent.GetProperty("status").GetString());
        var atBob = (await NextMessageAsync(b)).Message!;
        Assert.Equal((sent.GetProperty("messageId").GetString(), "hello from Chromium", alice), (atBob.MessageId, atBob.Message, atBob.UserId));

        var reply = await b.SendMessageAsync(chatId, "hello, browser");
        var pushed = await WaitForFrameAsync(page, "newMessage");
        Assert.Equal(reply.MessageId, pushed.GetProperty("payload").GetProperty("messageId").GetString());
        Assert.Equal("hello, browser", pushed.GetProperty("payload").GetProperty("message").GetString());

        // The page's RECEIVED removed the browser device's copy: nothing is left in its inbox.
        using var store = await _harness.InboxStoreAsync();
        await WaitUntilAsync(async () => (await store.PendingAsync(alice, aliceDevice)).Count == 0,
            "the browser's acknowledgements emptied its inbox");
    }

    [Fact]
    public async Task A_browser_without_a_valid_token_gets_no_socket()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.HttpEndpoint("gateway-a"), "/health").ToString());

        var outcome = await page.EvaluateAsync<string>("""
            url => new Promise(resolve => {
                const socket = new WebSocket(url + "?access_token=not-a-token");
                socket.onopen = () => resolve("open");
                socket.onclose = event => resolve("closed " + event.code);
            })
            """, _harness.WebSocketUri("gateway-a").ToString());

        // The upgrade is refused with 401, which a browser reports as an abnormal close (1006) without ever opening.
        Assert.Equal("closed 1006", outcome);
    }

    /// <summary>The system's Chromium, headless (Playwright's own browser download cannot work here).</summary>
    private static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });

    private static Task SendAsync(IPage page, object frame) =>
        page.EvaluateAsync("text => window.socket.send(text)", JsonSerializer.Serialize(frame));

    /// <summary>Waits, inside the page, for the first received frame of a type, and returns it.</summary>
    private static async Task<JsonElement> WaitForFrameAsync(IPage page, string type)
    {
        var handle = await page.WaitForFunctionAsync(
            "type => window.frames.find(f => f.type === type)", type, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return (await handle.JsonValueAsync<JsonElement>());
    }
}
