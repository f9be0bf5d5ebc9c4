using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>The real sidecar application hosted in this test process (fast); see <see cref="SidecarProcess"/> for a killable one.</summary>
public sealed class SidecarHost : IAsyncDisposable
{
    private SidecarHost(SidecarSettings settings, WebApplication app)
    {
        Settings = settings;
        App = app;
    }

    public SidecarSettings Settings { get; }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<SidecarHost> StartAsync(SidecarSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var app = SidecarApplication.Build(settings.Args(), new SidecarEnvironment(settings.Environment), configure);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        return new SidecarHost(settings, app);
    }

    public DaprClient CreateClient(string? apiToken = null) => SidecarClients.Create(Settings, apiToken);

    public HttpClient CreateHttpClient(string? apiToken = null) => SidecarClients.CreateHttp(Settings, apiToken);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}

public static class SidecarClients
{
    /// <summary>The official SDK client, pointed at the sidecar as DAPR_GRPC_ENDPOINT / DAPR_HTTP_ENDPOINT would.</summary>
    public static DaprClient Create(SidecarSettings settings, string? apiToken = null)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(settings.GrpcEndpoint).UseHttpEndpoint(settings.HttpEndpoint);
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }
        return builder.Build();
    }

    public static HttpClient CreateHttp(SidecarSettings settings, string? apiToken = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(settings.HttpEndpoint), Timeout = TimeSpan.FromSeconds(30) };
        if (apiToken is not null)
        {
            http.DefaultRequestHeaders.Add("dapr-api-token", apiToken);
        }
        return http;
    }
}
