using Azure;

namespace Natter.MediaService.Storage;

/// <summary>Creates the containers before the app takes requests (hosted services start before Kestrel listens).</summary>
internal sealed class ContainerSetup(MediaContainers containers, ILogger<ContainerSetup> logger) : IHostedService
{
    // Blob storage may still be starting when we do (the AppHost's WaitFor only checks its TCP port).
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        while (true)
        {
            try
            {
                foreach (var container in containers.All)
                {
                    await container.CreateIfNotExistsAsync(cancellationToken: timeout.Token);
                }
                return;
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException && !timeout.IsCancellationRequested)
            {
                logger.LogWarning("Blob storage not ready yet: {Message}", e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
