using Microsoft.Extensions.Caching.Memory;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

/// <summary>
/// What a device's typing in one chat is showing to the others: the time of the last start that was forwarded, and
/// whether it still shows (no stop since). Pure rules: <see cref="Decide"/>.
/// </summary>
public readonly record struct TypingWindow(long StartedAt, bool Showing);

/// <summary>
/// Rate limit for typing, per device per chat, on this gateway (a device's socket lives on one gateway at a time).
/// Excess signals are dropped, answered with forwarded=false, never with an error: a client that types fast is not
/// misbehaving. The result: at most one start per <see cref="MinStartGap"/>, a start while one shows only as a
/// refresh every <see cref="RefreshInterval"/>, and a stop only while a start shows; so even a client toggling
/// start/stop as fast as it can reaches each member with at most two frames per second.
/// </summary>
public sealed class TypingThrottle(TimeProvider time, int capacity = TypingThrottle.DefaultCapacity) : IDisposable
{
    /// <summary>A start shows for this long unless refreshed (clients hide it then; WhatsApp's is about this).</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(6);

    /// <summary>While a start shows, another is forwarded only this long after it: well before it would expire.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(2500);

    /// <summary>After a stop, a new start is forwarded no sooner than this after the previous one.</summary>
    public static readonly TimeSpan MinStartGap = TimeSpan.FromSeconds(1);

    public const int DefaultCapacity = 100_000; // devices typing at once on one gateway

    private readonly MemoryCache _windows = new(new MemoryCacheOptions { SizeLimit = capacity });
    private readonly Lock _lock = new();

    /// <summary>True when this signal goes out; records it.</summary>
    public bool TryForward(DeviceAddress device, string chatId, string state)
    {
        var key = (device, chatId);
        lock (_lock)
        {
            var current = _windows.TryGetValue(key, out TypingWindow window) ? window : (TypingWindow?)null;
            var (forward, next) = Decide(current, state, time);
            if (!forward)
            {
                return false;
            }
            // A window outlives its start's expiry by nothing: after that, every rule treats it as absent anyway.
            _windows.Set(key, next, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Expiry });
            // A full cache refuses the entry silently; forwarding anyway would leave this device unlimited, so a flood
            // of typists could switch the limit off for everyone. Fail closed: drop the signal.
            return _windows.TryGetValue(key, out _);
        }
    }

    public static (bool Forward, TypingWindow Next) Decide(TypingWindow? current, string state, TimeProvider time)
    {
        var now = time.GetTimestamp();
        if (current is not { } window)
        {
            return state == TypingStates.Start ? (true, new TypingWindow(now, true)) : (false, default);
        }
        var sinceStart = time.GetElapsedTime(window.StartedAt, now);
        var showing = window.Showing && sinceStart < Expiry;
        if (state == TypingStates.Stop)
        {
            return showing ? (true, window with { Showing = false }) : (false, window);
        }
        var due = sinceStart >= (showing ? RefreshInterval : MinStartGap);
        return due ? (true, new TypingWindow(now, true)) : (false, window);
    }

    public void Dispose() => _windows.Dispose();
}
