namespace Natter.Sidecar.Actors.Scheduling;

/// <summary>
/// When a timer or reminder fires, as daprd computes it: first at dueTime (immediately when omitted), then every
/// period (once when omitted), at most Rn times, and never after the ttl.
/// </summary>
public sealed record ActorSchedule(DateTimeOffset FirstDue, TimeSpan? Interval, int? Repetitions, DateTimeOffset? ExpiresAt)
{
    /// <summary>Parses the registration's strings; throws <see cref="FormatException"/> on a value daprd would reject.</summary>
    public static ActorSchedule Parse(string? dueTime, string? period, string? ttl, DateTimeOffset registeredAt)
    {
        var firstDue = registeredAt;
        if (!string.IsNullOrEmpty(dueTime) && !DaprDuration.TryParseInstant(dueTime, registeredAt, out firstDue))
        {
            throw new FormatException($"invalid dueTime '{dueTime}'");
        }
        TimeSpan? interval = null;
        int? repetitions = null;
        if (!string.IsNullOrEmpty(period))
        {
            if (!DaprDuration.TryParsePeriod(period, out var parsed, out repetitions) || parsed < TimeSpan.Zero)
            {
                throw new FormatException($"invalid period '{period}'");
            }
            // A zero period means "no period" to the SDK (it serialises TimeSpan.Zero as "0h0m0s0ms"): fire once.
            interval = parsed > TimeSpan.Zero ? parsed : null;
        }
        DateTimeOffset? expiresAt = null;
        if (!string.IsNullOrEmpty(ttl))
        {
            if (!DaprDuration.TryParseInstant(ttl, registeredAt, out var expiry))
            {
                throw new FormatException($"invalid ttl '{ttl}'");
            }
            expiresAt = expiry;
        }
        return new ActorSchedule(firstDue, interval, repetitions, expiresAt);
    }

    /// <summary>The next fire after <paramref name="fired"/> fires, the last at <paramref name="lastFired"/>; null when done.</summary>
    public DateTimeOffset? NextDue(int fired, DateTimeOffset? lastFired)
    {
        DateTimeOffset next;
        if (fired == 0)
        {
            next = FirstDue;
        }
        else if (Interval is not { } interval || (Repetitions is { } limit && fired >= limit))
        {
            return null;
        }
        else
        {
            next = (lastFired ?? FirstDue) + interval;
        }
        if (Repetitions is 0 || (ExpiresAt is { } expiry && next > expiry))
        {
            return null;
        }
        return next;
    }
}
