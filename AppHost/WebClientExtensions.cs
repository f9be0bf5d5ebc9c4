using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Natter.AppHost;

public static class WebClientExtensions
{
    public const string DisplayName = "Natter web client";

    /// <summary>
    /// The browser client (WebClient/): a static page plus /config.json naming the gateways and MediaService as a
    /// browser reaches them. The page calls them directly, so in Development they allow exactly this page's origin
    /// (CORS for /dev/token and uploads); the dashboard links to it and `./natter up` prints its URL.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddWebClient(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> media, IReadOnlyList<IResourceBuilder<ProjectResource>> gateways)
    {
        var web = builder.AddProject<Projects.WebClient>("webclient")
            .WithAppHostEnvironment()
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithUrlForEndpoint("http", url => url.DisplayText = DisplayName)
            .WithEnvironment("WebClient__MediaUrl", media.GetEndpoint("http"));
        for (var i = 0; i < gateways.Count; i++)
        {
            web.WithEnvironment($"WebClient__Gateways__{i}__Name", gateways[i].Resource.Name)
                .WithEnvironment($"WebClient__Gateways__{i}__Url", gateways[i].GetEndpoint("http"));
        }
        // Cross-origin calls only in Development: the page signs in with development tokens, which exist nowhere else,
        // so a Production service has no reason to accept any other origin than its own.
        if (builder.Environment.IsDevelopment())
        {
            var origin = web.GetEndpoint("http");
            foreach (var service in gateways.Append(media))
            {
                service.WithEnvironment("Cors__AllowedOrigins__0", origin);
            }
        }
        return web.WithWebClientUrlAnnouncement();
    }

    /// <summary>Prints the page's URL once its port is known, so `./natter up` tells a developer where to chat.</summary>
    private static IResourceBuilder<ProjectResource> WithWebClientUrlAnnouncement(this IResourceBuilder<ProjectResource> web)
    {
        web.ApplicationBuilder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>(web.Resource, (e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Natter");
            logger.LogInformation("Web client: http://localhost:{Port}/ (chat in a browser; sign in as any user)", web.GetEndpoint("http").Port);
            return Task.CompletedTask;
        });
        return web;
    }
}
