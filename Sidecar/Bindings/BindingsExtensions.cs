using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Bindings;

public static class BindingsExtensions
{
    /// <summary>Input bindings (bindings.cron). Schedules are parsed now, so a bad one stops start-up naming its file.</summary>
    public static WebApplicationBuilder AddBindings(this WebApplicationBuilder builder)
    {
        var bindings = builder.Services.GetRequiredInstance<IReadOnlyList<ComponentSpec>>()
            .Where(c => c.Type == ComponentTypes.BindingsCron)
            .Select(CronBinding.From)
            .ToList();
        builder.Services.AddSingleton<IReadOnlyList<CronBinding>>(bindings);
        builder.Services.AddHostedService<CronBindingRunner>();
        return builder;
    }
}
