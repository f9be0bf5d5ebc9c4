using System.Text.Json;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Actors.Scheduling;
using Natter.Sidecar.Actors.Timers;

namespace Natter.Sidecar.Actors.Invocation;

/// <summary>What the owner does with an actor call once it arrived here: each method is one kind of call.</summary>
public sealed class LocalActorCalls(
    ActorTypesRegistry types,
    ActiveActors actors,
    AppActorClient app,
    ActorReminders reminders,
    ActorTimers timers,
    ILogger<LocalActorCalls> logger)
{
    public async Task<ActorCallResult> InvokeAsync(ActorKey actor, string method, ActorCall call, CancellationToken ct)
    {
        if (!types.Hosts(actor.Type))
        {
            return NotHosted(actor);
        }
        // The caller may give up while waiting for the turn: nothing has started then.
        var turn = await actors.EnterTurnAsync(actor, ct);
        var running = RunTurnAsync(turn, method, call);
        try
        {
            return await running.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _ = running.ContinueWith(
                t => logger.LogWarning(t.Exception, "Turn of {Actor} abandoned by its caller failed", actor),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    // Once the app has the call, the turn is held until the app answers: the caller's cancellation (a disconnect, a
    // timeout) cannot stop the app's handler, so releasing the turn then would let a second turn of the actor start
    // while the first still runs. Hence no cancellation token on the app call.
    private async Task<ActorCallResult> RunTurnAsync(ActorTurn turn, string method, ActorCall call)
    {
        using (turn)
        {
            return await app.InvokeAsync(turn.Activation.Key, method, call, CancellationToken.None);
        }
    }

    public async Task<ActorCallResult> RegisterReminderAsync(ActorKey actor, string name, ActorCall call, CancellationToken ct)
    {
        if (!types.Hosts(actor.Type))
        {
            return NotHosted(actor);
        }
        try
        {
            await reminders.RegisterAsync(actor, name, ScheduledCallback.Parse(call.Body), ct);
            return ActorCallResult.NoContent;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return ActorCallResult.Error(StatusCodes.Status400BadRequest, "ERR_ACTOR_REMINDER_CREATE", ex.Message);
        }
    }

    public async Task<ActorCallResult> UnregisterReminderAsync(ActorKey actor, string name, CancellationToken ct)
    {
        await reminders.UnregisterAsync(actor, name, ct);
        return ActorCallResult.NoContent;
    }

    public Task<ActorCallResult> RegisterTimerAsync(ActorKey actor, string name, ActorCall call)
    {
        if (!types.Hosts(actor.Type))
        {
            return Task.FromResult(NotHosted(actor));
        }
        try
        {
            var timer = ScheduledCallback.Parse(call.Body);
            if (string.IsNullOrEmpty(timer.Callback))
            {
                return Task.FromResult(ActorCallResult.Error(StatusCodes.Status400BadRequest, "ERR_ACTOR_TIMER_CREATE", "callback is required"));
            }
            timers.Register(actor, name, timer);
            return Task.FromResult(ActorCallResult.NoContent);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return Task.FromResult(ActorCallResult.Error(StatusCodes.Status400BadRequest, "ERR_ACTOR_TIMER_CREATE", ex.Message));
        }
    }

    public Task<ActorCallResult> UnregisterTimerAsync(ActorKey actor, string name)
    {
        timers.Unregister(actor, name);
        return Task.FromResult(ActorCallResult.NoContent);
    }

    private static ActorCallResult NotHosted(ActorKey actor) =>
        ActorCallResult.Error(StatusCodes.Status500InternalServerError, "ERR_ACTOR_INSTANCE_MISSING",
            $"actor type {actor.Type} is not hosted by this app");
}
