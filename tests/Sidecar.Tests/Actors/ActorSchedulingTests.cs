using Natter.Sidecar.Actors.Scheduling;

namespace Natter.Sidecar.Tests.Actors;

public sealed class ActorSchedulingTests
{
    private static readonly DateTimeOffset Registered = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0h0m5s0ms", 5000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("300ms", 300)]
    [InlineData("PT5S", 5000)]
    [InlineData("P1DT2H", 93_600_000)]
    [InlineData("PT0.5S", 500)]
    public void Durations_parse_in_go_and_iso_8601_forms(string text, long milliseconds)
    {
        Assert.True(DaprDuration.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5 seconds")]
    [InlineData("P")]
    [InlineData("12")]
    public void Invalid_durations_are_rejected(string text) => Assert.False(DaprDuration.TryParseDuration(text, out _));

    [Fact]
    public void Period_with_repetitions_fires_that_many_times_then_stops()
    {
        var schedule = ActorSchedule.Parse("0h0m1s0ms", "R3/PT2S", null, Registered);

        var first = schedule.NextDue(0, null);
        var second = schedule.NextDue(1, first);
        var third = schedule.NextDue(2, second);

        Assert.Equal(Registered.AddSeconds(1), first);
        Assert.Equal(Registered.AddSeconds(3), second);
        Assert.Equal(Registered.AddSeconds(5), third);
        Assert.Null(schedule.NextDue(3, third));
    }

    [Fact]
    public void Without_period_a_schedule_fires_once_and_without_due_time_at_once()
    {
        var schedule = ActorSchedule.Parse(null, null, null, Registered);

        Assert.Equal(Registered, schedule.NextDue(0, null));
        Assert.Null(schedule.NextDue(1, Registered));
    }

    [Fact]
    public void Zero_period_from_the_sdk_means_fire_once()
    {
        var schedule = ActorSchedule.Parse("0h0m0s0ms", "0h0m0s0ms", null, Registered);

        Assert.Null(schedule.NextDue(1, Registered));
    }

    [Fact]
    public void Ttl_ends_a_periodic_schedule()
    {
        var schedule = ActorSchedule.Parse("0s", "1s", "2500ms", Registered);

        Assert.Equal(Registered.AddSeconds(2), schedule.NextDue(2, Registered.AddSeconds(1)));
        Assert.Null(schedule.NextDue(3, Registered.AddSeconds(2)));
    }

    [Fact]
    public void Due_time_may_be_an_rfc3339_instant()
    {
        var schedule = ActorSchedule.Parse("2026-01-01T12:00:30Z", null, null, Registered);

        Assert.Equal(Registered.AddSeconds(30), schedule.NextDue(0, null));
    }

    [Theory]
    [InlineData("soon", null, null)]
    [InlineData(null, "every minute", null)]
    [InlineData(null, null, "forever")]
    public void Invalid_schedules_are_rejected(string? dueTime, string? period, string? ttl) =>
        Assert.Throws<FormatException>(() => ActorSchedule.Parse(dueTime, period, ttl, Registered));
}
