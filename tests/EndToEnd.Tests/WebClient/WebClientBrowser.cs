using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Natter.EndToEnd.Tests.WebClient;

/// <summary>
/// Headless Chromium driving the web client (WebClient/): one browser, one context per user, so two users never share
/// storage. Helpers sign in and find things the way a person does; the assertions stay in the tests.
/// </summary>
public sealed class WebClientBrowser : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>What a person waits for at most: delivery across gateways, a reconnect, a receipt.</summary>
    public static readonly float Timeout = 30_000;

    public static readonly ViewportSize Desktop = new() { Width = 1100, Height = 700 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _url;

    private WebClientBrowser(IPlaywright playwright, IBrowser browser, Uri url)
    {
        _playwright = playwright;
        _browser = browser;
        _url = url;
        SetDefaultExpectTimeout(Timeout);
    }

    public static async Task<WebClientBrowser> LaunchAsync(NatterAppFixture fixture)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        return new WebClientBrowser(playwright, browser, fixture.HttpEndpoint("webclient"));
    }

    /// <summary>A new browser context for a user (its own storage), a page on the web client, and the user signed in.</summary>
    public async Task<IPage> SignInAsync(string user, string device, string? gateway = null, ViewportSize? viewport = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? Desktop });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        return await SignInOnAsync(page, user, device, gateway);
    }

    /// <summary>Signs in on a page of an existing context (same storage: the device's stored chats come back).</summary>
    public async Task<IPage> SignInOnAsync(IPage page, string user, string device, string? gateway = null)
    {
        await page.GotoAsync(_url.ToString());
        await page.Locator("#signin-user").FillAsync(user);
        await page.Locator("#signin-device").FillAsync(device);
        if (gateway is not null)
        {
            await page.Locator("#signin-gateway").SelectOptionAsync(new SelectOptionValue { Label = gateway });
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connection", "online");
        return page;
    }

    /// <summary>Creates a chat through the ✚ dialog; the new chat opens.</summary>
    public static async Task CreateChatAsync(IPage page, string people, string? name = null)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await page.Locator("#new-chat-people").FillAsync(people);
        if (name is not null)
        {
            await page.Locator("#new-chat-name").FillAsync(name);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.Locator("#composer")).ToBeVisibleAsync();
    }

    public static ILocator ChatItem(IPage page, string text) => page.Locator(".chat-item", new() { HasText = text });

    /// <summary>A message by its own text (not the text it quotes).</summary>
    public static ILocator Message(IPage page, string text) =>
        page.Locator(".message").Filter(new() { Has = page.Locator(".text", new() { HasText = text }) });

    /// <summary>Types into the composer and presses Enter, as a person sends.</summary>
    public static async Task SendAsync(IPage page, string text)
    {
        await page.Locator("#text").FillAsync(text);
        await page.Locator("#text").PressAsync("Enter");
    }

    /// <summary>Clicks one of a message's action buttons (they show on hover or keyboard focus).</summary>
    public static async Task MessageActionAsync(IPage page, string text, string action)
    {
        var message = Message(page, text);
        await message.HoverAsync();
        await message.Locator($"[data-action=\"{action}\"]").ClickAsync();
    }

    /// <summary>Saves the page as artifacts/screenshots/{test}-{who}.png under the repository root.</summary>
    public static async Task ScreenshotAsync(IPage page, string who, [CallerMemberName] string test = "")
    {
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{test}-{who}.png") });
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Aspire.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("the repository root (Aspire.sln) was not found");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
