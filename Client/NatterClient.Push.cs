using Natter.Contracts;

namespace Natter.Client;

public sealed partial class NatterClient
{
    /// <summary>Tells the server where this device's notifications go while it has no socket (docs/PROTOCOL.md §11).</summary>
    public async Task<RegisterPushResult> RegisterPushAsync(string token, CancellationToken ct = default) =>
        Read<RegisterPushResult>(await RequestAsync(FrameTypes.RegisterPush, w => w.WriteString("token", token), ct));

    /// <summary>Stops notifications to this device.</summary>
    public async Task<RegisterPushResult> ClearPushAsync(CancellationToken ct = default) =>
        Read<RegisterPushResult>(await RequestAsync(FrameTypes.RegisterPush, w => w.WriteNull("token"), ct));
}
