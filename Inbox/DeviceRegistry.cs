namespace Natter.Inbox;

public enum RegistrationOutcome { Registered, AlreadyActive, TooManyDevices, ClientIdTaken }

/// <summary>
/// devices: a user's clients. A record marked Retiring is being deactivated: fan-outs skip it and it cannot register
/// again until its inbox is dropped, so a crash between "deactivate" and "drop" leaves a mark that the next attempt
/// (a reconnect, the sweep) finishes, instead of an orphaned or half-deleted inbox. Pure rules, unit-tested.
/// </summary>
public sealed partial record DeviceRegistry(IReadOnlyList<DeviceRecord> Clients)
{
    public const int MaxDevicesPerUser = 3; // product limit

    public static readonly DeviceRegistry Empty = new([]);

    public DeviceRecord? Find(string clientId) => Clients.FirstOrDefault(c => c.ClientId == clientId);

    /// <summary>The registry after a client connects, or null when nothing changes.</summary>
    public (DeviceRegistry? Changed, RegistrationOutcome Outcome) Register(string clientId, long now)
    {
        if (Find(clientId) is { Retiring: false } known)
        {
            return (Replace(known, known with { LastSeen = now }), RegistrationOutcome.AlreadyActive);
        }
        if (Clients.Count(c => c.ClientId != clientId) >= MaxDevicesPerUser)
        {
            return (null, RegistrationOutcome.TooManyDevices);
        }
        return (new DeviceRegistry([.. Clients.Where(c => c.ClientId != clientId), new DeviceRecord(clientId, now, now)]),
            RegistrationOutcome.Registered);
    }

    /// <summary>LastSeen moves forward for an active record; null when the client is not (or no longer) active.</summary>
    public DeviceRegistry? Touch(string clientId, long now) =>
        Find(clientId) is { Retiring: false } known && known.LastSeen < now ? Replace(known, known with { LastSeen = now }) : null;

    public DeviceRegistry? MarkRetiring(IReadOnlyCollection<string> clientIds) =>
        Clients.Any(c => clientIds.Contains(c.ClientId) && !c.Retiring)
            ? new DeviceRegistry([.. Clients.Select(c => clientIds.Contains(c.ClientId) ? c with { Retiring = true } : c)])
            : null;

    /// <summary>Removes the record once its inbox is dropped, only if it is still the retiring one.</summary>
    public DeviceRegistry? RemoveRetired(string clientId) =>
        Find(clientId) is { Retiring: true } ? new DeviceRegistry([.. Clients.Where(c => c.ClientId != clientId)]) : null;

    public IEnumerable<string> ActiveClients => Clients.Where(c => !c.Retiring).Select(c => c.ClientId);

    private DeviceRegistry Replace(DeviceRecord old, DeviceRecord updated) =>
        new([.. Clients.Select(c => c == old ? updated : c)]);
}

/// <summary>PushToken: where notifications for this device go (null: none); it dies with the record when the device retires.</summary>
public sealed record DeviceRecord(string ClientId, long RegisteredAt, long LastSeen, bool Retiring = false, string? PushToken = null);
