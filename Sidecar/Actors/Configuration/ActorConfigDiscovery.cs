using Microsoft.Extensions.Options;

namespace Natter.Sidecar.Actors.Configuration;

/// <summary>
/// Reads GET /dapr/config once the app listens, retrying until it answers, as daprd does at startup.
/// A 4xx answer is an answer too: the app hosts no actors and this sidecar only calls them.
/// </summary>
public sealed class ActorConfigDiscovery(
    AppChannel.AppReadiness readiness,
    IServiceProvider services,
    ActorTypesRegistry registry,
    IOptions<ActorsOptions> options,
    Hosting.SidecarOptions sidecar,
    ILogger<ActorConfigDiscovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (sidecar.AppPort is null)
        {
            registry.Publish(ActorAppConfig.None);
            return;
        }
        await readiness.WhenReady.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var channel = services.GetRequiredService<AppChannel.AppChannel>();
                using var response = await channel.Http.GetAsync("dapr/config", stoppingToken);
                if ((int)response.StatusCode >= 500)
                {
                    logger.LogDebug("GET /dapr/config answered {Status}; retrying", (int)response.StatusCode);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    // A 4xx (404 without actor handlers, 401 from an app's auth middleware...) means the app hosts no
                    // actors; retrying would leave this sidecar unable even to call actors hosted elsewhere.
                    logger.LogInformation("App answered {Status} to /dapr/config: it hosts no actors", (int)response.StatusCode);
                    registry.Publish(ActorAppConfig.None);
                    return;
                }
                else
                {
                    var config = ActorAppConfig.Parse(await response.Content.ReadAsByteArrayAsync(stoppingToken));
                    logger.LogInformation("App hosts actor types [{Types}], idle timeout {Idle}, scan interval {Scan}",
                        string.Join(", ", config.Entities), config.IdleTimeout, config.ScanInterval);
                    registry.Publish(config);
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                logger.LogDebug(ex, "GET /dapr/config failed; retrying");
            }
            catch (System.Text.Json.JsonException ex)
            {
                logger.LogWarning(ex, "GET /dapr/config returned invalid JSON: no actors hosted");
                registry.Publish(ActorAppConfig.None);
                return;
            }
            await Task.Delay(options.Value.ConfigRetryInterval, stoppingToken);
        }
    }
}
