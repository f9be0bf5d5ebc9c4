namespace Natter.Inbox;

public sealed partial record DeviceRegistry
{
    /// <summary>
    /// The registry with the client's push token set (null clears it), or null when nothing changes or the client is
    /// not active: a retiring device gets no token, so a deactivation racing a registerPush cannot revive pushes.
    /// </summary>
    public DeviceRegistry? SetPushToken(string clientId, string? token) =>
        Find(clientId) is { Retiring: false } known && known.PushToken != token ? Replace(known, known with { PushToken = token }) : null;

    /// <summary>Whether the client is active (its token could be set).</summary>
    public bool IsActive(string clientId) => Find(clientId) is { Retiring: false };
}
