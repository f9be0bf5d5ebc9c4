using Dapr.Client;
using Natter.Contracts;

namespace Natter.Inbox.Tests;

/// <summary>
/// The send path's append: registries, likely heads and the caller's keys in one read. The hint (the devices the last
/// fan-out wrote to) may be wrong in every way; the registries decide, and no active device misses its copy.
/// </summary>
[Collection(InboxStoreCollection.Name)]
public sealed class MemberFanOutTests(InboxStoreFixture store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_active_device_but_the_sender_gets_a_copy_whatever_the_hint_says()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var alice = InboxStoreFixture.NewDevice("alice");
        var alicePhone = alice with { ClientId = $"{alice.ClientId}-phone" };
        var bob = InboxStoreFixture.NewDevice("bob");
        var bobLaptop = bob with { ClientId = $"{bob.ClientId}-laptop" };
        var retired = bob with { ClientId = $"{bob.ClientId}-old" };
        foreach (var device in new[] { alice, alicePhone, bob, bobLaptop, retired })
        {
            await store.Devices.RegisterAsync(device, cts.Token);
        }
        await store.Devices.DeactivateAsync(retired, cts.Token);
        var stranger = InboxStoreFixture.NewDevice("stranger");

        // The hint names a retired device and a stranger, and misses bob's laptop and alice's phone.
        var fanOut = await store.FanOut.AppendAsync([alice.UserId, bob.UserId], alice, [bob, retired, stranger],
            DeviceInboxTests.Entry("hello"), [], (_, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>?>([]), cts.Token);

        Assert.Equal(new[] { alicePhone, bob, bobLaptop }.Select(d => d.Key).Order(), fanOut!.Slots.Select(s => s.Device.Key).Order());
        // The next append's hint: every active device, the sender's included, and no retired one or stranger.
        Assert.Equal(new[] { alice, alicePhone, bob, bobLaptop }.Select(d => d.Key).Order(), fanOut.Registered.Select(d => d.Key).Order());
        foreach (var device in new[] { alicePhone, bob, bobLaptop })
        {
            var (_, entry) = Assert.Single(await store.Inbox.PendingAsync(device, cts.Token));
            Assert.Equal("hello", entry.Message!.Message);
        }
        Assert.Empty(await store.Inbox.PendingAsync(alice, cts.Token));
        Assert.Empty(await store.Inbox.PendingAsync(retired, cts.Token));
        Assert.Empty(await store.Inbox.PendingAsync(stranger, cts.Token));
    }

    [Fact]
    public async Task The_callers_keys_come_from_the_same_read_and_a_caller_that_abandons_writes_nothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var bob = InboxStoreFixture.NewDevice("bob");
        await store.Devices.RegisterAsync(bob, cts.Token);
        var marker = $"fanout-test|{Guid.NewGuid():N}";
        await store.Dapr.SaveStateAsync(StateKeys.StoreName, marker, "already sent", cancellationToken: cts.Token);

        var abandoned = await store.FanOut.AppendAsync([bob.UserId], null, [bob], DeviceInboxTests.Entry("repeat"), [marker],
            (read, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>?>(read[marker].Json is null ? [] : null), cts.Token);
        var absent = $"fanout-test|{Guid.NewGuid():N}";
        var written = await store.FanOut.AppendAsync([bob.UserId], null, [bob], DeviceInboxTests.Entry("first"), [absent],
            (read, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>?>(read[absent].Json is null ? [] : null), cts.Token);

        Assert.Null(abandoned);
        Assert.NotNull(written);
        var (n, entry) = Assert.Single(await store.Inbox.PendingAsync(bob, cts.Token));
        Assert.Equal((0L, "first"), (n, entry.Message!.Message));
    }

    [Fact]
    public async Task The_same_read_finds_where_the_expected_recipients_hold_a_socket()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var alice = InboxStoreFixture.NewDevice("alice");
        var bob = InboxStoreFixture.NewDevice("bob");
        var bobLaptop = bob with { ClientId = $"{bob.ClientId}-laptop" };
        var bobTablet = bob with { ClientId = $"{bob.ClientId}-tablet" };
        foreach (var device in new[] { alice, bob, bobLaptop, bobTablet })
        {
            await store.Devices.RegisterAsync(device, cts.Token);
        }
        foreach (var device in new[] { alice, bob, bobTablet })
        {
            await store.Presence.ClaimAsync(device, new Presence($"gateway-of-{device.ClientId}", "connection"), TimeSpan.FromMinutes(1), cts.Token);
        }

        // Expected: alice (the sender), bob and his laptop; not his tablet, which is online but not in the hint.
        var fanOut = await store.FanOut.AppendAsync([alice.UserId, bob.UserId], alice, [alice, bob, bobLaptop],
            DeviceInboxTests.Entry("hello"), [], (_, _) => Task.FromResult<IReadOnlyList<StateTransactionRequest>?>([]), cts.Token);

        // Bob's socket is found; his laptop has none, his tablet was not read, and the sender gets no copy to route.
        Assert.Equal([bob], fanOut!.Sockets.Keys);
        Assert.Equal(new Presence($"gateway-of-{bob.ClientId}", "connection"), fanOut.Sockets[bob]);
        Assert.Equal(new[] { bob, bobLaptop, bobTablet }.Select(d => d.Key).Order(), fanOut.Slots.Select(s => s.Device.Key).Order());
    }
}
