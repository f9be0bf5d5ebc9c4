using System.Text.Json.Serialization;
using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Actors.Scheduling;

namespace Natter.Sidecar.Actors.Reminders;

/// <summary>A reminder as persisted in the type's reminder array. <see cref="RegistrationId"/> tells re-registrations apart.</summary>
public sealed record StoredReminder(
    [property: JsonPropertyName("actorId")] string ActorId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("dueTime")] string? DueTime,
    [property: JsonPropertyName("period")] string? Period,
    [property: JsonPropertyName("ttl")] string? Ttl,
    [property: JsonPropertyName("data")] System.Text.Json.JsonElement? Data,
    [property: JsonPropertyName("registeredAt")] DateTimeOffset RegisteredAt,
    [property: JsonPropertyName("registrationId")] string RegistrationId)
{
    public ScheduledCallback Callback => new(DueTime, Period, Ttl, Data?.GetRawText(), null);

    public ActorSchedule Schedule => ActorSchedule.Parse(DueTime, Period, Ttl, RegisteredAt);

    public ActorKey Actor(string actorType) => new(actorType, ActorId);
}

/// <summary>How far a reminder got: kept per reminder, so restarts and new owners neither repeat nor skip fires.</summary>
public sealed record ReminderTrack(
    [property: JsonPropertyName("registrationId")] string RegistrationId,
    [property: JsonPropertyName("fired")] int Fired,
    [property: JsonPropertyName("lastFired")] DateTimeOffset LastFired);
