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

        if (app.Configuration.GetValue<bool>("Media:TestClock"))
        {
            app.Logger.LogWarning("Media:TestClock is on: POST /test/clock/advance moves this service's clock. Tests only.");
            app.MapPost("/test/clock/advance", (ClockAdvance advance, TimeProvider time) =>
            {
                ((AdjustableClock)time).Advance(TimeSpan.FromSeconds(advance.Seconds));
                return Results.Ok(new { now = time.GetUtcNow() });
            }).AllowAnonymous();
        }
        return app;
    }
}
