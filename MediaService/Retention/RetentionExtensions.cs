namespace Natter.MediaService.Retention;

public static class RetentionExtensions
{
    /// <summary>
    /// The Dapr cron binding "cleanup": the sidecar probes OPTIONS /cleanup, then POSTs /cleanup once a day.
    /// Anonymous, because the sidecar calls it; it only ever deletes what has expired, so a stray call is harmless.
    /// </summary>
    public static WebApplication MapCleanupBinding(this WebApplication app)
    {
        app.MapMethods("/cleanup", [HttpMethods.Options], () => Results.Ok()).AllowAnonymous();
        app.MapPost("/cleanup", async (RetentionSweep sweep, CancellationToken cancellationToken) =>
            Results.Ok(await sweep.RunAsync(cancellationToken))).AllowAnonymous();
        return app;
    }
}
