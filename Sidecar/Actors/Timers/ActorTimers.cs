using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Invocation;
using Natter.Sidecar.Actors.Scheduling;

namespace Natter.Sidecar.Actors.Timers;

/// <summary>Runs timers on the owner: each fire is a turn of the actor, PUT /actors/{type}/{id}/method/timer/{name}.</summary>
public sealed class ActorTimers(ActiveActors actors, AppActorClient app, TimeProvider time, ILogger<ActorTimers> logger)
{
    /// <summary>Starts (or replaces) a timer; throws <see cref="FormatException"/> on an invalid schedule.</summary>
    public void Register(ActorKey key, string name, ScheduledCallback timer)
    {
        var schedule = ActorSchedule.Parse(timer.DueTime, timer.Period, timer.Ttl, time.GetUtcNow());
        var activation = actors.GetOrActivate(key);
        var stop = activation.Timers.Replace(name);
        _ = RunAsync(activation, name, timer, schedule, stop);
    }

    public void Unregister(ActorKey key, string name)
    {
        if (actors.TryGet(key, out var activation))
        {
            activation!.Timers.Remove(name);
        }
    }

    private async Task RunAsync(ActorActivation activation, string name, ScheduledCallback timer, ActorSchedule schedule, CancellationToken stop)
    {
        var body = timer.FireBody();
        var fired = 0;
        DateTimeOffset? last = null;
        try
        {
            while (schedule.NextDue(fired, last) is { } due)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stop);
                }
                activation.Enter();
                try
                {
                    await activation.Turn.WaitAsync(stop);
                }
                catch
                {
                    activation.Leave();
                    throw;
                }
                try
                {
                    if (activation.Deactivated)
                    {
                        return;
                    }
                    // Not the timer's token: the app may unregister the timer from inside this callback.
                    await app.FireTimerAsync(activation.Key, name, body, CancellationToken.None);
                }
                catch (Exception ex) when (ex is HttpRequestException or AppCallFailedException)
                {
                    logger.LogWarning(ex, "Timer {Timer} of {Actor} failed", name, activation.Key);
                }
                finally
                {
                    activation.Leave();
                    activation.Turn.Release();
                }
                fired++;
                last = due;
            }
        }
        catch (OperationCanceledException)
        {
            // Unregistered, replaced or deactivated.
        }
        finally
        {
            activation.Timers.Completed(name, stop);
        }
    }
}
