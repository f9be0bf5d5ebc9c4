using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every service reads time from the injected TimeProvider. DEVELOPMENT/TEST ONLY: with Natter:TestClock=true the clock
/// can be moved forward through POST /dev/clock {advanceSeconds}, so end-to-end tests can simulate 30 days.
/// Off by default; production never maps the endpoint.
/// </summary>
public static class NatterClock
{
    public const string TestClockSetting = "Natter:TestClock";

    public static TBuilder AddNatterClock<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<TimeProvider>(TestClockEnabled(builder.Configuration) ? new OffsetTimeProvider() : TimeProvider.System);
        return builder;
    }

    public static WebApplication MapNatterClock(this WebApplication app)
    {
        if (!TestClockEnabled(app.Configuration))
        {
            return app;
        }
        app.MapPost("/dev/clock", (ClockAdvance request, TimeProvider time) =>
        {
            var clock = (OffsetTimeProvider)time;
            clock.Advance(TimeSpan.FromSeconds(request.AdvanceSeconds));
            return Results.Ok(new { now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) });
        }).AllowAnonymous();
        return app;
    }

    private static bool TestClockEnabled(IConfiguration configuration) =>
        bool.TryParse(configuration[TestClockSetting], out var enabled) && enabled;
}

public sealed record ClockAdvance(double AdvanceSeconds);

/// <summary>System time plus an offset that only ever grows. Test runs only.</summary>
public sealed class OffsetTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, Math.Max(0, by.Ticks));
}
