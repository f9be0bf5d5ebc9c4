using Microsoft.Extensions.DependencyInjection;
using Natter.State;

namespace Natter.Inbox;

public static class InboxExtensions
{
    /// <summary>The device inbox, registry and presence: what both the chat service and the gateway use.</summary>
    public static IServiceCollection AddDeviceInbox(this IServiceCollection services) =>
        services.AddSingleton<StateRounds>().AddSingleton<DeviceInbox>().AddSingleton<PresenceRegistry>().AddSingleton<DeviceRegistryStore>().AddSingleton<MemberFanOut>()
            .AddSingleton<UserSettingsStore>() // user settings: §9
            .AddSingleton<DeliverySeals>()
            .AddOptions<DeliverySealOptions>().BindConfiguration(DeliverySealOptions.Section).Services;
}
