using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Components;

public static class ComponentsExtensions
{
    /// <summary>
    /// Loads the component files while the host is built, so a bad file stops start-up before any port opens,
    /// with an error naming the file and the field.
    /// </summary>
    public static WebApplicationBuilder AddComponents(this WebApplicationBuilder builder)
    {
        var options = builder.Services.GetRequiredInstance<SidecarOptions>();
        var environment = builder.Services.GetRequiredInstance<SidecarEnvironment>();
        using var loggerFactory = LoggerFactory.Create(l => l.AddConsole());
        var logger = loggerFactory.CreateLogger("Natter.Sidecar.Components");
        var components = ComponentLoader.Load(options.ResourcesPath, options.AppId, environment, logger);
        foreach (var component in components)
        {
            logger.LogInformation("Component loaded: {Name} ({Type}/{Version}) from {File}", component.Name, component.Type, component.Version, Path.GetFileName(component.SourceFile));
        }
        builder.Services.AddSingleton<IReadOnlyList<ComponentSpec>>(components);
        return builder;
    }
}
