using Natter.ChatService.Chats;
using Natter.ChatService.Cleanup;

namespace Natter.ChatService;

/// <summary>ChatService's table of contents: Program.cs and the functional test host compose the service from these two alone.</summary>
public static class ChatServiceApplication
{
    public static WebApplicationBuilder AddChatService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddNatterClock();
        builder.AddMediaApiClient();
        builder.AddChats();
        builder.AddCleanup();
        return builder;
    }

    public static WebApplication MapChatService(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.MapNatterClock();
        app.MapChats();
        app.MapCleanup();
        return app;
    }
}
