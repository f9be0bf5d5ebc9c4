using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>
/// A real app built with Dapr.AspNetCore, hosted in the test process on its own port: it subscribes with
/// MapSubscribeHandler + WithTopic and talks to its sidecar only through the SDK, like a Natter service.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, int port)
    {
        App = app;
        Port = port;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public DaprClient Dapr => App.Services.GetRequiredService<DaprClient>();

    /// <param name="sidecar">The sidecar this app will talk to (its ports are known before it starts).</param>
    /// <param name="map">Maps the app's endpoints (subscriptions, cron handlers).</param>
    /// <param name="useCloudEvents">False keeps the raw CloudEvent in the request body, to inspect the envelope.</param>
    public static async Task<TestApp> StartAsync(SidecarSettings sidecar, Action<WebApplication> map, int? port = null, bool useCloudEvents = true)
    {
        var appPort = port ?? sidecar.AppPort ?? FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDaprClient(dapr => dapr.UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint));
        var app = builder.Build();
        if (useCloudEvents)
        {
            app.UseCloudEvents();
        }
        app.MapSubscribeHandler();
        map(app);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        return new TestApp(app, appPort);
    }

    /// <summary>Stops at once, aborting requests in progress: to the sidecar this is an app that died mid-request.</summary>
    public async Task KillAsync()
    {
        await App.StopAsync(new CancellationToken(canceled: true));
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await App.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // A handler that never returns (a crash test) must not block disposal.
        }
        await App.DisposeAsync();
    }
}
