using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.AppChannel;

/// <summary>
/// The sidecar's HTTP connection to its app: subscriptions, deliveries, bindings and actor calls all go through it.
/// Sends APP_API_TOKEN as dapr-api-token when configured, as daprd does.
/// </summary>
public sealed class AppChannel
{
    public AppChannel(HttpClient http, SidecarOptions options)
    {
        Http = http;
        Http.BaseAddress = options.AppBaseUri;
        if (options.AppApiToken is { Length: > 0 } token)
        {
            Http.DefaultRequestHeaders.Add("dapr-api-token", token);
        }
    }

    public HttpClient Http { get; }
}
