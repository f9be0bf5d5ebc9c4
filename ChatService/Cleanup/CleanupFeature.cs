namespace Natter.ChatService.Cleanup;

public static class CleanupFeature
{
    public static WebApplicationBuilder AddCleanup(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetentionSweep>();
        return builder;
    }

    /// <summary>The "cleanup" cron binding: OPTIONS probe at startup, then POST /cleanup on every fire of every sidecar.</summary>
    public static WebApplication MapCleanup(this WebApplication app)
    {
        app.MapMethods("/cleanup", ["OPTIONS"], () => Results.Ok()).RequireSidecar();
        app.MapPost("/cleanup", async (RetentionSweep sweep, CancellationToken ct) => Results.Ok(await sweep.RunAsync(ct))).RequireSidecar();
        return app;
    }
}
