namespace Natter.MediaService.Retention;

public static class RetentionExtensions
{
    /// <summary>
    /// The Dapr cron binding "cleanup": the sidecar probes OPTIONS /cleanup, then POSTs /cleanup once a day.
    /// Only the sidecar may call it (its APP_API_TOKEN), like every route a sidecar calls.
    /// </summary>
    public static WebApplication MapCleanupBinding(this WebApplication app)
    {
        app.MapMethods("/cleanup", [HttpMethods.Options], () => Results.Ok()).RequireSidecar();
        app.MapPost("/cleanup", async (RetentionSweep sweep, CancellationToken cancellationToken) =>
            Results.Ok(await sweep.RunAsync(cancellationToken))).RequireSidecar();
        return app;
    }
}
