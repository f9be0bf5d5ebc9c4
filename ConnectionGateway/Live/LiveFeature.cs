using Microsoft.Extensions.DependencyInjection.Extensions;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

public static class LiveFeature
{
    /// <summary>Typing indicators, presence and last seen, and the presence setting (docs/PROTOCOL.md §12).</summary>
    public static WebApplicationBuilder AddTypingAndPresence(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<UserSettingsStore>();
        builder.Services.TryAddSingleton<LastSeenStore>();
        builder.Services.AddSingleton(sp => new ChatMembersCache(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new TypingThrottle(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<LiveSignalPublisher>();
        builder.Services.AddSingleton<PresenceQuery>();
        builder.Services.AddSingleton<LiveCommands>();
        builder.Services.AddSingleton<LastSeenRecording>();
        return builder;
    }
}
