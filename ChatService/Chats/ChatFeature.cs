using Natter.ChatService.Attachments;
using Natter.ChatService.Delivery;
using Natter.Chats;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ChatService.Chats;

public static class ChatFeature
{
    /// <summary>Hosts ChatActor and what its turns use: device inbox and registry, delivery publisher, attachments.</summary>
    public static WebApplicationBuilder AddChats(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ChatOptions>(builder.Configuration.GetSection(ChatOptions.Section));
        builder.Services.AddDeviceInbox();
        builder.Services.AddSingleton<DeliveryPublisher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeliveryPublisher>());
        builder.Services.AddSingleton<PushHandOff>(); // push notifications
        builder.Services.AddSingleton<ChatIndexWrites>();
        builder.Services.AddTransient<MessageAttachments>();
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<ChatActor>(IChatActor.TypeName);
            // An idle chat leaves memory after a while; its state is in the store, so reactivation anywhere is cheap.
            options.ActorIdleTimeout = TimeSpan.FromMinutes(30);
        });
        return builder;
    }

    public static WebApplication MapChats(this WebApplication app)
    {
        // /dapr/config and /actors/**: only the sidecar calls them (the actors' /healthz stays anonymous, as the SDK maps it).
        app.MapActorsHandlers().RequireSidecar();
        return app;
    }
}
