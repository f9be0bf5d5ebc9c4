namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>Waits on a condition by polling it, with a deadline: the only way tests wait for asynchronous effects.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!cts.IsCancellationRequested)
        {
            if (await condition())
            {
                return true;
            }
            try
            {
                await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return await condition();
    }

    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Waits until the condition has held for the whole period (for "nothing else happens" assertions).</summary>
    public static async Task<bool> StaysTrueAsync(Func<bool> condition, TimeSpan period)
    {
        var until = DateTime.UtcNow + period;
        while (DateTime.UtcNow < until)
        {
            if (!condition())
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        return condition();
    }
}
