using Natter.EndToEnd.Tests.Messaging;
using static Microsoft.Playwright.Assertions;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;
using static Natter.EndToEnd.Tests.WebClient.WebClientBrowser;

namespace Natter.EndToEnd.Tests.WebClient;

/// <summary>The web client when its gateway dies for real (SIGKILL): it says so, reconnects, and nothing is missing.</summary>
[Collection(DestructiveCollection.Name)]
public sealed class WebClientReconnectTests(DestructiveAppFixture fixture) : IAsyncLifetime
{
    private WebClientBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        await fixture.WaitUntilWholeAsync();
        _browser = await LaunchAsync(fixture);
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task The_page_shows_reconnecting_when_its_gateway_is_killed_and_then_misses_nothing()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        var a = await _browser.SignInAsync(alice, NewId("laptop"), "gateway-a");
        var b = await _browser.SignInAsync(bob, NewId("laptop"), "gateway-b");
        await CreateChatAsync(b, alice);
        await SendAsync(b, "before the crash");
        await ChatItem(a, bob).ClickAsync();
        await Expect(Message(a, "before the crash")).ToBeVisibleAsync();

        // The gateway the page is on now: a page whose first attempt on gateway-a timed out moved to gateway-b.
        await Expect(a.Locator("#me-gateway")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^via gateway-[ab]$"));
        var gateway = (await a.Locator("#me-gateway").TextContentAsync())!["via ".Length..];
        await ResourceControl.StopAsync(fixture, gateway);
        await Expect(a.Locator("#banner")).ToHaveTextAsync("Reconnecting…");
        await ScreenshotAsync(a, "alice-reconnecting");
        string[] during = ["while you were away 1", "while you were away 2", "while you were away 3"];
        foreach (var text in during)
        {
            await SendAsync(b, text);
            await Expect(Message(b, text).Locator(".tick")).Not.ToHaveAttributeAsync("data-tick", "pending");
        }

        // Back on a gateway (the other one, or the restarted one): online, every message there, each exactly once.
        await Expect(a.Locator("body")).ToHaveAttributeAsync("data-connection", "online", new() { Timeout = 90_000 });
        await Expect(a.Locator("#banner")).ToBeHiddenAsync();
        foreach (var text in during)
        {
            await Expect(Message(a, text)).ToHaveCountAsync(1);
        }
        await Expect(a.Locator(".message")).ToHaveCountAsync(4);
        await SendAsync(a, "back, got all three");
        await Expect(Message(b, "back, got all three")).ToBeVisibleAsync();
        await ScreenshotAsync(a, "alice-reconnected");
    }
}
