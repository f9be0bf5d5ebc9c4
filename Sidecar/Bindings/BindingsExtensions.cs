using Grpc.AspNetCore.Server.Model;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Bindings;

public static class BindingsExtensions
{
    /// <summary>
    /// Input bindings (bindings.cron) and output bindings (bindings.http). Schedules and URLs are read now, so a bad one
    /// stops start-up naming its file.
    /// </summary>
    public static WebApplicationBuilder AddBindings(this WebApplicationBuilder builder)
    {
        var bindings = builder.Services.GetRequiredInstance<IReadOnlyList<ComponentSpec>>()
            .Where(c => c.Type == ComponentTypes.BindingsCron)
            .Select(CronBinding.From)
            .ToList();
        builder.Services.AddSingleton<IReadOnlyList<CronBinding>>(bindings);
        builder.Services.AddHostedService<CronBindingRunner>();
        var components = builder.Services.GetRequiredInstance<IReadOnlyList<ComponentSpec>>();
        builder.Services.AddSingleton(new OutputBindings(components.Where(c => c.Type == ComponentTypes.BindingsHttp).Select(HttpOutputBinding.From).ToList()));
        builder.Services.AddSingleton<BindingsGrpcService>();
        builder.Services.AddSingleton<IServiceMethodProvider<BindingsGrpcService>, BindingsGrpcMethods>();
        return builder;
    }
}
