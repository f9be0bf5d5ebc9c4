using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Bindings;
using Natter.Sidecar.Hosting;

namespace Natter.Functional.Tests.Infrastructure;

/// <summary>How one Natter service is composed: its project folder, its app id, and its Program.cs's two calls.</summary>
public sealed record ServiceComposition(string Project, string AppId, Action<WebApplicationBuilder> Add, Action<WebApplication> Map);

/// <summary>
/// One real Natter service in this process, composed as its Program.cs composes it and listening on a free loopback
/// port, in front of its own in-process local sidecar (the Sidecar project's own application, daprd's flags). Time is
/// the test's clock: the service's TimeProvider, and the clock the sidecar's cron binding fires on. Everything else in
/// the sidecar (placement leases, pub/sub redelivery) runs on real time, as it must for the real Redis underneath.
/// Every timer on the test clock fires as it passes (the gateway's 1-second sidecar watch included), so a simulated
/// day costs FakeTimeProvider 86,400 steps: 0.1–0.2 s on this machine.
/// </summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebApplication _sidecar;

    private ServiceNode(WebApplication app, WebApplication sidecar, Uri address, string sidecarHttp, string sidecarGrpc, CronFires cron, CronClock cronClock)
    {
        (_app, _sidecar, Address, SidecarHttp, SidecarGrpc, Cron, CronClock) = (app, sidecar, address, sidecarHttp, sidecarGrpc, cron, cronClock);
    }

    public Uri Address { get; }

    public string SidecarHttp { get; }

    public string SidecarGrpc { get; }

    /// <summary>The "cleanup" cron binding's fires, as the app saw them.</summary>
    public CronFires Cron { get; }

    public CronClock CronClock { get; }

    public ActorPlacement Placement => _sidecar.Services.GetRequiredService<ActorPlacement>();

    public static async Task<ServiceNode> StartAsync(
        ServiceComposition service, IDictionary<string, string?> settings, TimeProvider clock, string resourcesPath,
        IReadOnlyDictionary<string, string?> sidecarEnvironment, CancellationToken ct)
    {
        var (httpPort, grpcPort) = (FreePorts.Next(), FreePorts.Next());
        var (sidecarHttp, sidecarGrpc) = ($"http://127.0.0.1:{httpPort}", $"http://127.0.0.1:{grpcPort}");
        var cron = new CronFires("/cleanup");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = $"Natter.{service.Project}",
            EnvironmentName = Environments.Development,
            // The service's own folder, so it reads its own appsettings.json as it does when run.
            ContentRootPath = Path.Combine(RepositoryPaths.Root, service.Project),
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["DAPR_HTTP_ENDPOINT"] = sidecarHttp,
            ["DAPR_GRPC_ENDPOINT"] = sidecarGrpc,
            ["Dapr:AppId"] = service.AppId,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        service.Add(builder);
        // Registered last, so it is the TimeProvider every part of the service resolves.
        builder.Services.AddSingleton(clock);
        var app = builder.Build();
        app.Use(cron.ObserveAsync);
        service.Map(app);
        await app.StartAsync(ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var cronClock = new CronClock(clock);
        var sidecar = SidecarApplication.Build(
            ["--app-id", service.AppId, "--app-port", $"{address.Port}", "--app-protocol", "http",
             "--dapr-http-port", $"{httpPort}", "--dapr-grpc-port", $"{grpcPort}", "--resources-path", resourcesPath,
             "--max-body-size", "64Mi", "--log-level", "warn"],
            new SidecarEnvironment(sidecarEnvironment),
            builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                UseClockForCron(builder.Services, cronClock);
            });
        try
        {
            await sidecar.StartAsync(ct);
        }
        catch
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw;
        }
        return new ServiceNode(app, sidecar, address, sidecarHttp, sidecarGrpc, cron, cronClock);
    }

    /// <summary>The sidecar's own cron runner, built with the test's clock instead of the system one.</summary>
    private static void UseClockForCron(IServiceCollection services, TimeProvider clock)
    {
        var runner = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(CronBindingRunner));
        services.Remove(runner);
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<CronBindingRunner>(sp, clock));
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _sidecar.StopAsync(timeout.Token);
        await _sidecar.DisposeAsync();
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
