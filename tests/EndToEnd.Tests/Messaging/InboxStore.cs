using Aspire.Hosting.Testing;
using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Natter.EndToEnd.Tests.Security;
using Natter.Inbox;

namespace Natter.EndToEnd.Tests.Messaging;

/// <summary>
/// The inbox library over gateway-a's sidecar, with the sidecar's DAPR_API_TOKEN: the tests read inboxes, device
/// registries and presence through their owner, as the gateway does, never by spelling or scanning store keys.
/// </summary>
public sealed class InboxStore : IDisposable
{
    private readonly DaprClient _dapr;

    private InboxStore(DaprClient dapr)
    {
        _dapr = dapr;
        Inbox = new DeviceInbox(dapr, NullLogger<DeviceInbox>.Instance);
        Presence = new PresenceRegistry(dapr);
        Devices = new DeviceRegistryStore(dapr, Inbox, Presence, TimeProvider.System, NullLogger<DeviceRegistryStore>.Instance);
    }

    public DeviceInbox Inbox { get; }

    public PresenceRegistry Presence { get; }

    public DeviceRegistryStore Devices { get; }

    public static async Task<InboxStore> ConnectAsync(NatterAppFixture fixture, string sidecar = "gateway-a-dapr") =>
        new(new DaprClientBuilder()
            .UseGrpcEndpoint(fixture.App.GetEndpoint(sidecar, "grpc").ToString())
            .UseDaprApiToken(await fixture.ParameterAsync(SidecarSecrets.DaprApiToken))
            .Build());

    /// <summary>The entry numbers the device has yet to acknowledge.</summary>
    public async Task<IReadOnlyList<long>> PendingAsync(string userId, string clientId, CancellationToken ct = default) =>
        [.. (await Inbox.PendingAsync(new DeviceAddress(userId, clientId), ct)).Select(p => p.N)];

    public void Dispose() => _dapr.Dispose();
}
