using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Push;

/// <summary>
/// registerPush: the calling device (from its JWT, never from the frame) sets or clears its own push token. No device
/// can name another, so the worst a caller can do is point its own notifications somewhere; they carry no message text.
/// </summary>
public sealed class PushRegistration(DeviceRegistryStore devices)
{
    public async Task<object> RegisterAsync(ClientIdentity who, ParsedFrame frame, CancellationToken ct)
    {
        // Absent and null differ: only an explicit null clears.
        if (!frame.Root.TryGetProperty("token", out _))
        {
            return FrameReader.Invalid(frame, "token is required: the provider's device token, or null to clear it");
        }
        var (command, error) = FrameReader.Bind<RegisterPushCommand>(frame);
        if (error is not null)
        {
            return error;
        }
        if (command!.Token is { } token && !PushTokens.IsValid(token))
        {
            return FrameReader.Invalid(frame, $"token has {PushTokens.Form}");
        }
        if (!await devices.SetPushTokenAsync(who.Device, command.Token, ct))
        {
            return new ErrorFrame(frame.RequestId, ErrorCodes.UnknownClient, "this client is not an active device");
        }
        return new RegisterPushResult(frame.RequestId, command.Token is not null);
    }
}
