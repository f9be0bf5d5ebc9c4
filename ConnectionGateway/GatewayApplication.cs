using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Deliveries;
using Natter.ConnectionGateway.Live;

namespace Natter.ConnectionGateway;

/// <summary>The gateway's table of contents: Program.cs and the functional test host compose the service from these two alone.</summary>
public static class GatewayApplication
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddNatterAuthentication();
        builder.AddWebClientCors();
        builder.AddNatterClock();
        builder.AddMediaApiClient();
        builder.AddClientConnections();
        builder.AddTypingAndPresence();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseWebClientCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapDevelopmentTokens();
        app.MapNatterClock();
        app.MapDeliveries();
        app.MapLiveSignals();
        app.MapClientConnections();
        return app;
    }
}
