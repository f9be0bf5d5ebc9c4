namespace Natter.MediaService.Retention;

/// <summary>
/// TEST ONLY (Media:TestClock=true, off by default): the system clock plus an offset that tests move forward over HTTP,
/// because end-to-end tests run the real process and cannot inject a fake clock.
/// </summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

public sealed record ClockAdvance(double Seconds);
