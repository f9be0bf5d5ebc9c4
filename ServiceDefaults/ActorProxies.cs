using Dapr;
using Dapr.Actors.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class ActorProxies
{
    /// <summary>
    /// The actor proxy factory, pointed at the sidecar through configuration. The SDK's parameterless factory reads
    /// DAPR_HTTP_ENDPOINT and DAPR_API_TOKEN from the process environment only, while DaprClient and the actor runtime
    /// read configuration (which includes the environment): reading it here too gives one source for all three, and
    /// lets an in-process test host point each service at its own sidecar.
    /// </summary>
    public static TBuilder AddActorProxies<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<IActorProxyFactory>(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new ActorProxyFactory(new ActorProxyOptions
            {
                HttpEndpoint = DaprDefaults.GetDefaultHttpEndpoint(configuration),
                DaprApiToken = DaprDefaults.GetDefaultDaprApiToken(configuration),
            });
        });
        return builder;
    }
}
