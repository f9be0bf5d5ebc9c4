namespace Natter.Inbox;

/// <summary>
/// A device is a user's client: (user, client). Two users whose tokens carry the same client_id never share an inbox,
/// presence, dedupe record or delivery id, because every key is built from both parts.
/// </summary>
public readonly record struct DeviceAddress(string UserId, string ClientId)
{
    /// <summary>Injective: both parts are percent-encoded (':' and '|' included), so no choice of ids makes two devices share a key.</summary>
    public string Key => $"{Uri.EscapeDataString(UserId)}:{Uri.EscapeDataString(ClientId)}";

    public override string ToString() => Key;
}
