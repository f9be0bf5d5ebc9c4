using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Natter.State;

namespace Natter.Inbox.Tests;

/// <summary>The inbox library over a real redis-server behind the real local sidecar, through the official SDK.</summary>
public sealed class InboxStoreFixture : IAsyncLifetime
{
    private StateSidecar? _sidecar;

    public DaprClient Dapr { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public DeviceInbox Inbox { get; private set; } = null!;

    public PresenceRegistry Presence { get; private set; } = null!;

    public DeviceRegistryStore Devices { get; private set; } = null!;

    public StateRounds Rounds { get; private set; } = null!;

    public MemberFanOut FanOut { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await StateSidecar.StartIfAvailableAsync()
                   ?? throw new InvalidOperationException($"the inbox tests need a sidecar: {StateSidecar.UnavailableBecause}");
        Dapr = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint).WithNatterLimits().Build();
        Inbox = new DeviceInbox(Dapr, NullLogger<DeviceInbox>.Instance);
        Presence = new PresenceRegistry(Dapr);
        Devices = new DeviceRegistryStore(Dapr, Inbox, Presence, Clock, NullLogger<DeviceRegistryStore>.Instance);
        Rounds = new StateRounds(Dapr, NullLogger<StateRounds>.Instance);
        FanOut = new MemberFanOut(Dapr, Rounds, Inbox, NullLogger<MemberFanOut>.Instance);
    }

    public async Task DisposeAsync()
    {
        Dapr?.Dispose();
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }

    public static DeviceAddress NewDevice(string user = "user") =>
        new($"{user}-{Guid.NewGuid():N}"[..(user.Length + 9)], $"client-{Guid.NewGuid():N}"[..15]);
}

[CollectionDefinition(Name)]
public sealed class InboxStoreCollection : ICollectionFixture<InboxStoreFixture>
{
    public const string Name = "inbox-store";
}
