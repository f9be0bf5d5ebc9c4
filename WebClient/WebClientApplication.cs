namespace Natter.WebClient;

/// <summary>
/// The browser client's host: static files (wwwroot, no build step) and /config.json. It holds no state, mints no
/// tokens and relays no traffic: the page talks to the gateways and MediaService directly, as any Natter client does.
/// </summary>
public static class WebClientApplication
{
    public static WebApplicationBuilder AddWebClient(this WebApplicationBuilder builder)
    {
        // Telemetry and health from the service defaults, but not AddServiceDefaults: this host has no Dapr sidecar.
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks();
        builder.Services.AddOptions<ClientConfig>().Bind(builder.Configuration.GetSection(ClientConfig.Section));
        return builder;
    }

    public static WebApplication MapWebClient(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // The page is a handful of small ES modules: always revalidate, so a new version never mixes with an old one.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapClientConfig();
        return app;
    }
}
