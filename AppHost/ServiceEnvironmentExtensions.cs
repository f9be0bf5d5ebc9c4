namespace Natter.AppHost;

public static class ServiceEnvironmentExtensions
{
    /// <summary>
    /// The service runs in the AppHost's own environment. Aspire does not pass it on by itself (DCP drops the AppHost's
    /// ASPNETCORE_ENVIRONMENT/DOTNET_ENVIRONMENT, and our services have no launch profiles), so without this they would run
    /// as Production even under `./natter up`, and as Development nowhere: Development-only settings key off it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAppHostEnvironment(this IResourceBuilder<ProjectResource> app)
    {
        var environment = app.ApplicationBuilder.Environment.EnvironmentName;
        return app.WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment);
    }
}
