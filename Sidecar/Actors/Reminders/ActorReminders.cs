using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Configuration;
using Natter.Sidecar.Actors.Invocation;
using Natter.Sidecar.Actors.Placement;
using Natter.Sidecar.Actors.Scheduling;

namespace Natter.Sidecar.Actors.Reminders;

/// <summary>
/// Durable reminders. The owner of an actor schedules its reminders in memory; the store holds them and how far each
/// got, so after a restart or an owner's death the next owner loads them and fires what fell due meanwhile.
/// </summary>
public sealed class ActorReminders(
    ReminderStore store,
    ActorPlacement placement,
    ActiveActors actors,
    AppActorClient app,
    ActorTypesRegistry types,
    TimeProvider time,
    IOptions<ActorsOptions> options,
    ILogger<ActorReminders> logger) : IDisposable
{
    private readonly ConcurrentDictionary<(ActorKey Actor, string Name), Running> _running = new();
    // The token is kept apart from its source: reading CancellationTokenSource.Token after Dispose throws.
    private readonly (CancellationTokenSource Source, CancellationToken Token) _stopping = NewStopping();

    private CancellationToken Stopping => _stopping.Token;

    private static (CancellationTokenSource, CancellationToken) NewStopping()
    {
        var source = new CancellationTokenSource();
        return (source, source.Token);
    }

    /// <summary>Reminders scheduled on this host, for tests and metadata.</summary>
    public int ScheduledCount => _running.Count;

    /// <summary>Persists and schedules; throws <see cref="FormatException"/> on an invalid schedule.</summary>
    public async Task RegisterAsync(ActorKey actor, string name, ScheduledCallback callback, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        _ = ActorSchedule.Parse(callback.DueTime, callback.Period, callback.Ttl, now);
        JsonElement? data = callback.DataJson is null ? null : JsonDocument.Parse(callback.DataJson).RootElement.Clone();
        var reminder = new StoredReminder(actor.Id, name, callback.DueTime, callback.Period, callback.Ttl, data, now, Guid.NewGuid().ToString("N"));
        await store.SaveAsync(actor.Type, reminder, ct);
        Start(actor.Type, reminder, track: null);
    }

    public async Task<bool> UnregisterAsync(ActorKey actor, string name, CancellationToken ct)
    {
        if (_running.TryRemove((actor, name), out var running))
        {
            running.Stop();
        }
        return await store.DeleteAsync(actor.Type, actor.Id, name, registrationId: null, ct);
    }

    public Task<StoredReminder?> GetAsync(ActorKey actor, string name, CancellationToken ct) =>
        store.GetAsync(actor.Type, actor.Id, name, ct);

    /// <summary>Takes on the reminders of actors this host now owns and drops those that moved away.</summary>
    public async Task ReloadAsync(PlacementTable table, CancellationToken ct)
    {
        var wanted = new HashSet<(ActorKey, string)>();
        foreach (var type in types.ActorTypes)
        {
            foreach (var reminder in await store.ListAsync(type, ct))
            {
                var key = reminder.Actor(type);
                if (table.Owner(type, reminder.ActorId) is not { } owner || !placement.IsSelf(owner))
                {
                    continue;
                }
                wanted.Add((key, reminder.Name));
                if (_running.TryGetValue((key, reminder.Name), out var running) && running.RegistrationId == reminder.RegistrationId)
                {
                    continue;
                }
                Start(type, reminder, await store.GetTrackAsync(type, reminder, ct));
            }
        }
        foreach (var (key, running) in _running)
        {
            if (!wanted.Contains(key) && _running.TryRemove(new(key, running)))
            {
                running.Stop();
            }
        }
    }

    private void Start(string actorType, StoredReminder reminder, ReminderTrack? track)
    {
        var actor = reminder.Actor(actorType);
        var running = new Running(reminder.RegistrationId, CancellationTokenSource.CreateLinkedTokenSource(Stopping));
        _running.AddOrUpdate((actor, reminder.Name), running, (_, previous) =>
        {
            previous.Stop();
            return running;
        });
        _ = RunAsync(actorType, actor, reminder, track, running);
    }

    private async Task RunAsync(string actorType, ActorKey actor, StoredReminder reminder, ReminderTrack? track, Running running)
    {
        var ct = running.Token;
        try
        {
            var schedule = reminder.Schedule;
            var body = reminder.Callback.FireBody();
            var fired = track?.Fired ?? 0;
            var last = track?.LastFired;
            while (schedule.NextDue(fired, last) is { } due)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, ct);
                }
                while (!placement.HoldsLease)
                {
                    // Stalled past the lease: wait for the renewal that tells whether this host still owns the actor.
                    await Task.Delay(options.Value.LeaseRenewInterval / 4, time, ct);
                }
                if (placement.Table.Owner(actorType, actor.Id) is not { } owner || !placement.IsSelf(owner))
                {
                    return; // Moved: the new owner loads it from the store.
                }
                await FireAsync(actor, reminder.Name, body, ct);
                fired++;
                var now = time.GetUtcNow();
                // After downtime, fire once for what was missed and continue from now, rather than replaying every period.
                last = schedule.Interval is { } interval && now - due >= interval ? now : due;
                await store.SaveTrackAsync(actorType, reminder, new ReminderTrack(reminder.RegistrationId, fired, last.Value), ct);
            }
            // Done (one-shot fired, repetitions used up, or ttl passed): daprd deletes it.
            if (_running.TryRemove(new((actor, reminder.Name), running)))
            {
                await store.DeleteAsync(actorType, actor.Id, reminder.Name, reminder.RegistrationId, Stopping);
            }
        }
        catch (OperationCanceledException)
        {
            // Unregistered, replaced, moved to another owner, or the sidecar is stopping.
        }
        catch (Placement.ActorMovedException)
        {
            // Moved between the ownership check and the turn: the new owner loads it from the store.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Reminder {Name} of {Actor} stopped", reminder.Name, actor);
        }
        finally
        {
            _running.TryRemove(new((actor, reminder.Name), running));
            running.Dispose();
        }
    }

    private async Task FireAsync(ActorKey actor, string name, byte[] body, CancellationToken ct)
    {
        var opts = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var turn = await actors.EnterTurnAsync(actor, ct);
                // No token: the app may unregister the reminder from inside this very callback, and the turn must
                // stay held until the app's handler returns (a stopping sidecar drains it, see ActorRebalancing).
                await app.FireReminderAsync(actor, name, body, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or AppCallFailedException && attempt < opts.ReminderMaxRetries)
            {
                logger.LogWarning(ex, "Reminder {Name} of {Actor} failed (attempt {Attempt}); retrying", name, actor, attempt);
                await Task.Delay(opts.ReminderRetryInterval, time, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or AppCallFailedException)
            {
                logger.LogError(ex, "Reminder {Name} of {Actor} failed {Attempts} times; moving on", name, actor, attempt);
                return;
            }
        }
    }

    public void Dispose()
    {
        _stopping.Source.Cancel();
        _stopping.Source.Dispose();
    }

    private sealed class Running(string registrationId, CancellationTokenSource cts) : IDisposable
    {
        private int _disposed;

        public string RegistrationId { get; } = registrationId;

        public CancellationToken Token { get; } = cts.Token;

        public void Stop()
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                try
                {
                    cts.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Ended at the same moment.
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                cts.Dispose();
            }
        }
    }
}
