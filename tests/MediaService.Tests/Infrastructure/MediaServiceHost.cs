using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Natter.MediaService.Attachments;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>
/// The real MediaService, composed exactly as its Program.cs composes it, listening on a free loopback port.
/// In-process rather than a child process so a failing test shows the server's exception in the same output.
/// </summary>
public sealed class MediaServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MediaServiceHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the service with <paramref name="membership"/> answering for the chat actors, which this host lacks.</summary>
    public static async Task<MediaServiceHost> StartAsync(IDictionary<string, string?> configuration, TestChatMembership membership)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AttachmentCatalog).Assembly.GetName().Name,
            EnvironmentName = "Development",
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        builder.AddMediaService();
        builder.Services.AddSingleton<IChatMembership>(membership);
        var app = builder.Build();
        app.MapMediaService();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(timeout.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MediaServiceHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
