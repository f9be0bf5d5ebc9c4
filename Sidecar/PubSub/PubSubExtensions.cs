namespace Natter.Sidecar.PubSub;

public static class PubSubExtensions
{
    public static WebApplicationBuilder AddSubscriptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SubscriptionRegistry>();
        return builder;
    }
}
