using Natter.State;

namespace Natter.Inbox;

/// <summary>The recipients of one fan-out, and the push tokens of those that have one, from the same registry read.</summary>
public sealed record FanOutDevices(IReadOnlyList<DeviceAddress> Devices, IReadOnlyDictionary<DeviceAddress, string> PushTokens)
{
    /// <summary>Every active device of the users, in user order, from their registries as read (raw JSON by key).</summary>
    internal static FanOutDevices From(IEnumerable<string> userIds, IReadOnlyDictionary<string, (string? Json, string? ETag)> read)
    {
        var devices = new List<DeviceAddress>();
        var tokens = new Dictionary<DeviceAddress, string>();
        foreach (var userId in userIds)
        {
            if (NatterState.Parse<DeviceRegistry>(read[InboxKeys.Devices(userId)].Json) is not { } registry)
            {
                continue;
            }
            foreach (var record in registry.Clients.Where(c => !c.Retiring))
            {
                var device = new DeviceAddress(userId, record.ClientId);
                devices.Add(device);
                if (record.PushToken is { } token)
                {
                    tokens[device] = token;
                }
            }
        }
        return new FanOutDevices(devices, tokens);
    }
}

public sealed partial class DeviceRegistryStore
{
    /// <summary>
    /// Sets (or, with null, clears) the device's push token on its record. One etag-guarded write: a crash leaves the
    /// old token or the new one. False when the device is not active.
    /// </summary>
    public async Task<bool> SetPushTokenAsync(DeviceAddress device, string? token, CancellationToken ct)
    {
        var active = false;
        await dapr.UpdateAsync<DeviceRegistry>(InboxKeys.Devices(device.UserId), current =>
        {
            active = current?.IsActive(device.ClientId) == true;
            return current?.SetPushToken(device.ClientId, token) is { } changed ? StateChange<DeviceRegistry>.Save(changed) : StateChange<DeviceRegistry>.Keep;
        }, ct);
        return active;
    }
}
