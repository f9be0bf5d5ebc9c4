using System.Net.Sockets;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.AppChannel;

/// <summary>
/// Completes once the app's port accepts connections. Like daprd, the sidecar reads subscriptions and actor
/// configuration only after that, because the app usually starts after its sidecar.
/// </summary>
public sealed class AppReadiness(SidecarOptions options, ILogger<AppReadiness> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WhenReady => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AppPort is not { } port)
        {
            // No app port: a sidecar for a client-only app, as daprd allows.
            _ready.TrySetResult();
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(options.AppHost, port, stoppingToken);
                logger.LogInformation("App is listening on port {Port}", port);
                _ready.TrySetResult();
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
            }
        }
    }
}
