using Microsoft.Extensions.Options;

namespace Natter.WebClient;

/// <summary>
/// What the page needs to know to be a client (GET /config.json): the gateways to connect to, MediaService's URL,
/// and whether it may ask a gateway for development tokens. The AppHost fills it from its endpoints.
/// </summary>
public sealed class ClientConfig
{
    public const string Section = "WebClient";

    /// <summary>The gateways as a browser reaches them; the page spreads devices over them and fails over between them.</summary>
    public List<GatewayAddress> Gateways { get; set; } = [];

    /// <summary>MediaService's base URL as a browser reaches it: thumbnails and downloads (uploads use the URL it issues).</summary>
    public string MediaUrl { get; set; } = "";
}

/// <summary>A gateway's resource name (shown to developers) and base URL (http://host:port; the page adds /ws and /dev/token).</summary>
public sealed class GatewayAddress
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";
}

public static class ClientConfigEndpoint
{
    public static WebApplication MapClientConfig(this WebApplication app)
    {
        app.MapGet("/config.json", (IOptions<ClientConfig> options, IHostEnvironment environment) => Results.Json(new
        {
            gateways = options.Value.Gateways.Select(g => new { name = g.Name, url = g.Url }),
            mediaUrl = options.Value.MediaUrl,
            // Only Development gateways mint tokens (/dev/token); elsewhere sign-in needs the OIDC issuer, which this
            // page does not implement, so it says so instead of offering a form that cannot work.
            developmentTokens = environment.IsDevelopment(),
        }));
        return app;
    }
}
