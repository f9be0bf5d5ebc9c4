using System.Collections.Concurrent;
using System.Text.Json;
using Natter.Sidecar.Actors.State;
using Natter.Sidecar.State;

namespace Natter.Sidecar.Actors.Reminders;

/// <summary>
/// Reminders in the actor state store: one array per actor type (updated with etag checks, since every host of the
/// type writes it) and one track entry per reminder.
/// </summary>
public sealed class ReminderStore(ActorStoreBinding binding)
{
    private const int MaxAttempts = 20;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _typeLocks = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<StoredReminder>> ListAsync(string actorType, CancellationToken ct) =>
        (await ReadAsync(actorType, ct)).Reminders;

    public async Task<StoredReminder?> GetAsync(string actorType, string actorId, string name, CancellationToken ct) =>
        (await ReadAsync(actorType, ct)).Reminders.FirstOrDefault(r => r.ActorId == actorId && r.Name == name);

    public Task SaveAsync(string actorType, StoredReminder reminder, CancellationToken ct) =>
        UpdateAsync(actorType, list =>
        {
            list.RemoveAll(r => r.ActorId == reminder.ActorId && r.Name == reminder.Name);
            list.Add(reminder);
            return true;
        }, ct);

    /// <summary>Removes the reminder (only the given registration, when one is given) and its track.</summary>
    public async Task<bool> DeleteAsync(string actorType, string actorId, string name, string? registrationId, CancellationToken ct)
    {
        var removed = await UpdateAsync(actorType, list =>
            list.RemoveAll(r => r.ActorId == actorId && r.Name == name
                && (registrationId is null || r.RegistrationId == registrationId)) > 0, ct);
        if (removed)
        {
            await binding.Store.DeleteAsync(ActorStateKeys.ReminderTrack(actorType, actorId, name), null, StateConcurrency.Unspecified, ct);
        }
        return removed;
    }

    public async Task<ReminderTrack?> GetTrackAsync(string actorType, StoredReminder reminder, CancellationToken ct)
    {
        var entry = await binding.Store.GetAsync(ActorStateKeys.ReminderTrack(actorType, reminder.ActorId, reminder.Name), ct);
        if (entry is null)
        {
            return null;
        }
        var track = JsonSerializer.Deserialize<ReminderTrack>(entry.Value.Span);
        return track?.RegistrationId == reminder.RegistrationId ? track : null;
    }

    public Task SaveTrackAsync(string actorType, StoredReminder reminder, ReminderTrack track, CancellationToken ct) =>
        binding.Store.SetAsync(new StateWrite(
            ActorStateKeys.ReminderTrack(actorType, reminder.ActorId, reminder.Name),
            JsonSerializer.SerializeToUtf8Bytes(track)), ct);

    private async Task<(List<StoredReminder> Reminders, string? Etag)> ReadAsync(string actorType, CancellationToken ct)
    {
        var entry = await binding.Store.GetAsync(ActorStateKeys.Reminders(actorType), ct);
        if (entry is null || entry.Value.IsEmpty)
        {
            return ([], null);
        }
        return (JsonSerializer.Deserialize<List<StoredReminder>>(entry.Value.Span) ?? [], entry.Etag);
    }

    private async Task<bool> UpdateAsync(string actorType, Func<List<StoredReminder>, bool> change, CancellationToken ct)
    {
        // One writer per type in this process; the etag guards against the other hosts.
        var gate = _typeLocks.GetOrAdd(actorType, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (list, etag) = await ReadAsync(actorType, ct);
                if (!change(list))
                {
                    return false;
                }
                try
                {
                    // No etag means the array does not exist yet: create-only, so two hosts creating it at once
                    // cannot both win.
                    await binding.Store.SetAsync(new StateWrite(
                        ActorStateKeys.Reminders(actorType), JsonSerializer.SerializeToUtf8Bytes(list), etag,
                        Concurrency: StateConcurrency.FirstWrite), ct);
                    return true;
                }
                catch (Exception ex) when ((ex is EtagMismatchException or FirstWriteConflictException) && attempt < MaxAttempts)
                {
                    // Another host changed the array meanwhile: re-read and apply the change again.
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
