using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Natter.AppHost;

public static class AnnouncementExtensions
{
    /// <summary>Prints the gateway's WebSocket URL once its port is known, so `./natter up` tells a developer where to connect.</summary>
    public static IResourceBuilder<ProjectResource> WithWebSocketUrlAnnouncement(this IResourceBuilder<ProjectResource> gateway)
    {
        gateway.ApplicationBuilder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>(gateway.Resource, (e, _) =>
        {
            var endpoint = gateway.GetEndpoint("http");
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Natter");
            logger.LogInformation("Gateway {Name} WebSocket: ws://localhost:{Port}/ws (dev tokens: POST http://localhost:{Port}/dev/token)",
                gateway.Resource.Name, endpoint.Port, endpoint.Port);
            return Task.CompletedTask;
        });
        return gateway;
    }
}
