using Microsoft.Extensions.Time.Testing;
using Natter.ConnectionGateway.Live;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Tests.Live;

public sealed class TypingThrottleTests
{
    private static readonly DeviceAddress Phone = new("alice", "phone");
    private static readonly DeviceAddress Laptop = new("alice", "laptop");
    private const string Chat = "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d";
    private const string OtherChat = "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8e";

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_repeated_start_is_forwarded_only_as_a_refresh_after_the_refresh_interval()
    {
        using var throttle = new TypingThrottle(_time);

        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
        _time.Advance(TypingThrottle.RefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(throttle.TryForward(Phone, Chat, TypingStates.Start));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
    }

    [Fact]
    public void A_stop_is_forwarded_only_while_a_start_shows()
    {
        using var throttle = new TypingThrottle(_time);

        Assert.False(throttle.TryForward(Phone, Chat, TypingStates.Stop));
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Stop));
        Assert.False(throttle.TryForward(Phone, Chat, TypingStates.Stop));

        Assert.True(throttle.TryForward(Laptop, OtherChat, TypingStates.Start));
        _time.Advance(TypingThrottle.Expiry);
        Assert.False(throttle.TryForward(Laptop, OtherChat, TypingStates.Stop)); // it has expired on every screen already
    }

    [Fact]
    public void After_a_stop_a_new_start_waits_for_the_minimum_gap()
    {
        using var throttle = new TypingThrottle(_time);
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Stop));

        _time.Advance(TypingThrottle.MinStartGap - TimeSpan.FromMilliseconds(1));
        Assert.False(throttle.TryForward(Phone, Chat, TypingStates.Start));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
    }

    [Fact]
    public void Devices_and_chats_are_limited_separately()
    {
        using var throttle = new TypingThrottle(_time);

        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
        Assert.True(throttle.TryForward(Laptop, Chat, TypingStates.Start));
        Assert.True(throttle.TryForward(Phone, OtherChat, TypingStates.Start));
        Assert.False(throttle.TryForward(Phone, Chat, TypingStates.Start));
    }

    [Fact]
    public void Toggling_as_fast_as_possible_forwards_at_most_two_signals_per_second()
    {
        using var throttle = new TypingThrottle(_time);
        var forwarded = 0;
        for (var ms = 0; ms < 10_000; ms += 10)
        {
            forwarded += throttle.TryForward(Phone, Chat, ms % 20 == 0 ? TypingStates.Start : TypingStates.Stop) ? 1 : 0;
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.InRange(forwarded, 10, 20); // 10 s: one start and one stop per MinStartGap
    }

    [Fact]
    public void A_full_throttle_drops_new_typists_instead_of_leaving_them_unlimited()
    {
        using var throttle = new TypingThrottle(_time, capacity: 1);

        Assert.True(throttle.TryForward(Phone, Chat, TypingStates.Start));
        Assert.False(throttle.TryForward(Laptop, Chat, TypingStates.Start));
    }

    [Fact]
    public void Decide_treats_an_expired_start_as_gone()
    {
        var started = _time.GetTimestamp();
        _time.Advance(TypingThrottle.Expiry);

        var (forward, next) = TypingThrottle.Decide(new TypingWindow(started, Showing: true), TypingStates.Start, _time);

        Assert.True(forward); // a fresh start, not a refresh that would have to wait
        Assert.True(next.Showing);
        Assert.Equal(_time.GetTimestamp(), next.StartedAt);
    }
}
