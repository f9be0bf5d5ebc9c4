using Microsoft.Extensions.Hosting;

namespace Natter.AppHost;

public static class TestClockExtensions
{
    /// <summary>
    /// TEST ONLY: when the AppHost runs with Natter:TestClock=true (end-to-end retention tests), the service gets a clock
    /// that POST /dev/clock can move forward. Off unless that setting is given; refused outside Development.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTestClockWhenEnabled(this IResourceBuilder<ProjectResource> app)
    {
        var builder = app.ApplicationBuilder;
        if (!(bool.TryParse(builder.Configuration["Natter:TestClock"], out var enabled) && enabled))
        {
            return app;
        }
        if (!builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Natter:TestClock=true is for tests in the Development environment, not {builder.Environment.EnvironmentName}.");
        }
        return app.WithEnvironment("Natter__TestClock", "true");
    }
}
