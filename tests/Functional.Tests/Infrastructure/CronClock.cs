namespace Natter.Functional.Tests.Infrastructure;

/// <summary>
/// The test's fake clock as a sidecar's cron runner sees it. It tells when the runner has scheduled its first tick
/// (its first timer), so the test moves time only once the runner is waiting on this clock: a tick scheduled from an
/// already-advanced clock would be missed, and the wait for it would time out instead.
/// </summary>
public sealed class CronClock(TimeProvider clock) : TimeProvider
{
    private readonly TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Scheduled => _scheduled.Task;

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        _scheduled.TrySetResult();
        return timer;
    }
}
