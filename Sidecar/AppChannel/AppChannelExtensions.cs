namespace Natter.Sidecar.AppChannel;

public static class AppChannelExtensions
{
    public static WebApplicationBuilder AddAppChannel(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<AppChannel>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Deliveries reuse a warm pool of connections to the app; a dead app must fail fast, not hang.
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 256,
                UseProxy = false,
                UseCookies = false,
            });
        builder.Services.AddSingleton<AppReadiness>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AppReadiness>());
        return builder;
    }
}
