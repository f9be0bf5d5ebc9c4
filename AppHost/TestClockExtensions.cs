namespace Natter.AppHost;

public static class TestClockExtensions
{
    /// <summary>
    /// TEST ONLY: when the AppHost runs with Natter:TestClock=true (end-to-end retention tests), the service gets a clock
    /// that POST /dev/clock can move forward. Off unless that setting is given.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTestClockWhenEnabled(this IResourceBuilder<ProjectResource> app) =>
        bool.TryParse(app.ApplicationBuilder.Configuration["Natter:TestClock"], out var enabled) && enabled
            ? app.WithEnvironment("Natter__TestClock", "true")
            : app;
}
