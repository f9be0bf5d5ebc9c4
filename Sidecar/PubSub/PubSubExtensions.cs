using Microsoft.Extensions.DependencyInjection.Extensions;
using Grpc.AspNetCore.Server.Model;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Redis;

namespace Natter.Sidecar.PubSub;

public static class PubSubExtensions
{
    public static WebApplicationBuilder AddPubSub(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<RedisConnections>();
        builder.Services.AddSingleton(sp => new PubSubRegistry(sp.GetRequiredService<IReadOnlyList<ComponentSpec>>()
            .Where(c => ComponentTypes.IsPubSub(c.Type))
            .Select(c => c.Type switch
            {
                ComponentTypes.PubSubRedis => (IPubSub)new RedisStreamsPubSub(c, sp.GetRequiredService<RedisConnections>(),
                    sp.GetRequiredService<SidecarOptions>(), sp.GetRequiredService<ILogger<RedisStreamsPubSub>>()),
                _ => new InMemoryPubSub(c.Name, c.GetInt("concurrency", 10), sp.GetRequiredService<ILogger<InMemoryPubSub>>()),
            })
            .ToList()));
        builder.Services.AddSingleton<Publisher>();
        builder.Services.AddSingleton<SubscriptionRegistry>();
        builder.Services.AddSingleton<SubscriptionLoader>();
        builder.Services.AddSingleton<AppDelivery>();
        builder.Services.AddSingleton<BulkAppDelivery>();
        builder.Services.AddHostedService<SubscriptionRunner>();
        builder.Services.AddSingleton<PublishGrpcService>();
        builder.Services.AddSingleton<IServiceMethodProvider<PublishGrpcService>, PublishGrpcMethods>();
        return builder;
    }
}
