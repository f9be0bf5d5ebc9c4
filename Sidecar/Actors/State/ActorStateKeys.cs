namespace Natter.Sidecar.Actors.State;

/// <summary>daprd's key layout in the actor state store, so data written by either runtime reads back in the other.</summary>
public static class ActorStateKeys
{
    public static string State(string appId, string actorType, string actorId, string key) =>
        $"{appId}||{actorType}||{actorId}||{key}";

    /// <summary>All reminders of one actor type, as one JSON array (daprd's unpartitioned layout).</summary>
    public static string Reminders(string actorType) => $"actors||{actorType}";

    /// <summary>When a reminder last fired, kept apart so a fire never rewrites the whole type's array.</summary>
    public static string ReminderTrack(string actorType, string actorId, string name) =>
        $"actors||{actorType}||{actorId}||{name}||track";
}
