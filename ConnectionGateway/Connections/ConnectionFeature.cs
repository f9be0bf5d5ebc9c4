using Microsoft.Extensions.Diagnostics.HealthChecks;
using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Receipts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

public static class ConnectionFeature
{
    /// <summary>Everything a client socket needs: device registry, presence, inbox, chat actor client, commands.</summary>
    public static WebApplicationBuilder AddClientConnections(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.AddActorProxies();
        builder.Services.AddSingleton<ChatClient>();
        builder.Services.AddDeviceInbox();
        builder.Services.AddSingleton<UserRateLimits>();
        builder.Services.AddSingleton<SidecarWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SidecarWatch>());
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddHostedService<ConnectionUpkeep>();
        builder.Services.AddSingleton<GatewayDrain>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayDrain>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            GatewayDrain.HealthCheckName, sp => sp.GetRequiredService<GatewayDrain>(), HealthStatus.Unhealthy, tags: []));
        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = GatewayDrain.ShutdownTimeout(gateway));
        builder.Services.AddSingleton<CommandDispatcher>();
        builder.Services.AddSingleton<MessageChangeCommands>(); // edits, deletions, reactions (§10)
        builder.Services.AddSingleton<Push.PushRegistration>(); // push notifications
        builder.Services.AddSingleton<ReceiptCommands>().AddSingleton<DeliveredReceipts>(); // receipts: §9
        builder.Services.AddSingleton<Acknowledgements>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Acknowledgements>());
        builder.Services.AddSingleton<ConnectionServices>();
        return builder;
    }
}
