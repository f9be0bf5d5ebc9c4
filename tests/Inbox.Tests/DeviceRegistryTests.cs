namespace Natter.Inbox.Tests;

[Collection(InboxStoreCollection.Name)]
public sealed class DeviceRegistryTests(InboxStoreFixture store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_devices_of_one_user_registering_at_the_same_moment_are_all_registered()
    {
        using var cts = new CancellationTokenSource(Timeout);
        for (var round = 0; round < 10; round++)
        {
            var user = InboxStoreFixture.NewDevice().UserId;
            var devices = Enumerable.Range(0, 3).Select(i => new DeviceAddress(user, $"{user}-device-{i}")).ToList();

            var outcomes = await Task.WhenAll(devices.Select(d => store.Devices.RegisterAsync(d, cts.Token)));

            Assert.All(outcomes, o => Assert.Equal(RegistrationOutcome.Registered, o));
            Assert.Equal(devices.Select(d => d.Key).Order(), (await store.Devices.ActiveDevicesAsync([user], cts.Token)).Select(d => d.Key).Order());
        }
    }

    [Fact]
    public async Task A_client_id_that_is_another_users_device_is_refused_and_freed_when_that_device_is_deactivated()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var alice = InboxStoreFixture.NewDevice("alice");
        var mallory = alice with { UserId = InboxStoreFixture.NewDevice("mallory").UserId };
        Assert.Equal(RegistrationOutcome.Registered, await store.Devices.RegisterAsync(alice, cts.Token));

        Assert.Equal(RegistrationOutcome.ClientIdTaken, await store.Devices.RegisterAsync(mallory, cts.Token));
        Assert.Empty(await store.Devices.ActiveDevicesAsync([mallory.UserId], cts.Token));

        Assert.True(await store.Devices.DeactivateAsync(alice, cts.Token));
        Assert.Equal(RegistrationOutcome.Registered, await store.Devices.RegisterAsync(mallory, cts.Token));
    }

    [Fact]
    public async Task The_idle_sweep_retires_a_device_idle_for_30_days_but_never_a_connected_one()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var connected = InboxStoreFixture.NewDevice();
        var idle = connected with { ClientId = "idle-device" };
        await store.Devices.RegisterAsync(connected, cts.Token);
        await store.Devices.RegisterAsync(idle, cts.Token);
        await store.Presence.ClaimAsync(connected, new Presence("gateway-x", "connection-1"), TimeSpan.FromMinutes(5), cts.Token);
        var cutoff = store.Clock.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds(); // both were last seen before it

        var (retired, active) = await store.Devices.RetireIdleAsync(connected.UserId, cutoff, cts.Token);

        Assert.Equal(1, retired);
        Assert.Equal([connected], active);
        Assert.Equal([connected], await store.Devices.ActiveDevicesAsync([connected.UserId], cts.Token));
    }

    [Fact]
    public async Task A_deactivation_cut_short_by_a_crash_is_finished_by_the_next_registration()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var device = InboxStoreFixture.NewDevice();
        await store.Devices.RegisterAsync(device, cts.Token);
        await store.Inbox.AppendAsync([device], DeviceInboxTests.Entry("pending"), "unused-fence",
            (_, _) => Task.FromResult<IReadOnlyList<Dapr.Client.StateTransactionRequest>>([]), cts.Token);
        await store.Devices.MarkRetiringAsync(device.UserId, [device.ClientId], cts.Token); // ... and the process dies here

        Assert.Empty(await store.Devices.ActiveDevicesAsync([device.UserId], cts.Token)); // fan-outs skip it meanwhile
        Assert.False(await store.Devices.IsActiveAsync(device, cts.Token));
        Assert.Equal(RegistrationOutcome.Registered, await store.Devices.RegisterAsync(device, cts.Token));

        Assert.Equal((1, 1), await store.Inbox.BoundsAsync(device, cts.Token)); // the old inbox was dropped, numbering kept
        Assert.True(await store.Devices.IsActiveAsync(device, cts.Token));
    }
}
