using Dapr.Actors.Client;
using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Receipts;
using Natter.Contracts;
using Natter.Inbox;
using Natter.TestSupport;

namespace Natter.ConnectionGateway.Tests;

/// <summary>The gateway's ack commits over the real local sidecar and a real redis-server.</summary>
public sealed class AcknowledgementsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private StateSidecar _sidecar = null!;
    private DaprClient _dapr = null!;
    private DeviceInbox _inbox = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await StateSidecar.StartIfAvailableAsync()
                   ?? throw new InvalidOperationException($"the acknowledgement tests need a sidecar: {StateSidecar.UnavailableBecause}");
        _dapr = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint).Build();
        _inbox = new DeviceInbox(_dapr, NullLogger<DeviceInbox>.Instance);
    }

    public async Task DisposeAsync()
    {
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
    }

    private Acknowledgements NewAcknowledgements() => new(_inbox,
        new DeliveredReceipts(new ChatClient(new ActorProxyFactory()), NullLogger<DeliveredReceipts>.Instance),
        NullLogger<Acknowledgements>.Instance);

    private async Task<(DeviceAddress Device, long N)> StoredEntryAsync()
    {
        var device = new DeviceAddress($"bob-{Guid.NewGuid():N}", "phone");
        var entry = new InboxEntry(InboxEntryKinds.NewMessage, new MessagePayload("chat", "m1", 1, "alice", "hi", [], 1), null, 1, null);
        var slot = (await _inbox.AppendAsync([device], entry, $"fence-{Guid.NewGuid():N}",
            (_, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>>([]), CancellationToken.None)).Single();
        return (device, slot.N);
    }

    [Fact]
    public async Task An_ack_queued_when_the_host_stops_during_its_start_is_still_committed()
    {
        // The host cancels the start token when it is stopped while starting: the commit loop must run anyway, so an ack
        // a socket queued by then is deleted and its caller answered, not left waiting forever.
        var (device, n) = await StoredEntryAsync();
        var acknowledgements = NewAcknowledgements();
        var acked = acknowledgements.AcknowledgeAsync(device, [n], []);

        await acknowledgements.StartAsync(new CancellationToken(canceled: true));
        await acknowledgements.StopAsync(CancellationToken.None);

        await acked.WaitAsync(Timeout);
        Assert.Empty(await _inbox.PendingAsync(device, CancellationToken.None));
    }

    [Fact]
    public async Task An_ack_after_stop_commits_on_its_own()
    {
        var (device, n) = await StoredEntryAsync();
        var acknowledgements = NewAcknowledgements();
        await acknowledgements.StartAsync(CancellationToken.None);
        await acknowledgements.StopAsync(CancellationToken.None);

        await acknowledgements.AcknowledgeAsync(device, [n], []).WaitAsync(Timeout);

        Assert.Empty(await _inbox.PendingAsync(device, CancellationToken.None));
    }
}
