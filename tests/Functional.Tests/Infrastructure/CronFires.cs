using Microsoft.AspNetCore.Http;

namespace Natter.Functional.Tests.Infrastructure;

/// <summary>
/// What one service's app saw of its sidecar's cron binding: every POST on the binding's route, counted as it arrives
/// and as it is answered, with the status of each answer. A test waits on these counts, never on time.
/// </summary>
public sealed class CronFires(string route)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _statuses = new();
    private int _arrived;

    public int Arrived => Volatile.Read(ref _arrived);

    public int Answered => _statuses.Count;

    public IReadOnlyCollection<int> Statuses => [.. _statuses];

    /// <summary>App middleware: records the fires without changing what the app does with them.</summary>
    public async Task ObserveAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != route)
        {
            await next(context);
            return;
        }
        Interlocked.Increment(ref _arrived);
        try
        {
            await next(context);
        }
        finally
        {
            _statuses.Enqueue(context.Response.StatusCode);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> fires arrived and every one that arrived was answered.</summary>
    public async Task WaitForAnsweredAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Arrived < count || Answered < Arrived)
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{route}: {Arrived} fires arrived and {Answered} were answered within {timeout}; expected {count}");
            }
        }
    }
}
