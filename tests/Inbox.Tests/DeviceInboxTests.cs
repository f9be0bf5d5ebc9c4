using Natter.Contracts;

namespace Natter.Inbox.Tests;

[Collection(InboxStoreCollection.Name)]
public sealed class DeviceInboxTests(InboxStoreFixture store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deactivating_then_registering_again_continues_the_numbering_and_a_stale_farewell_cannot_lower_the_tail()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var device = InboxStoreFixture.NewDevice();
        Assert.Equal(RegistrationOutcome.Registered, await store.Devices.RegisterAsync(device, cts.Token));
        for (var i = 0; i < 3; i++)
        {
            await AppendAsync(device, $"before {i}", cts.Token);
        }

        Assert.True(await store.Devices.DeactivateAsync(device, cts.Token));
        await store.Inbox.AdvanceTailAsync(device, 1, cts.Token); // the old socket's farewell, after the drop
        Assert.Equal(RegistrationOutcome.Registered, await store.Devices.RegisterAsync(device, cts.Token));
        var slot = await AppendAsync(device, "after", cts.Token);

        Assert.Equal(3, slot.N); // never 0 again: delivery ids are not reused
        Assert.Equal((3, 4), await store.Inbox.BoundsAsync(device, cts.Token));
        var (_, entry) = Assert.Single(await store.Inbox.ReadAsync(device, 3, 4, cts.Token));
        Assert.Equal("after", entry!.Message!.Message);
        Assert.All(await store.Inbox.ReadAsync(device, 0, 3, cts.Token), e => Assert.Null(e.Entry));
    }

    [Fact]
    public async Task Concurrent_first_appends_to_a_device_without_a_head_get_distinct_numbers()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var device = InboxStoreFixture.NewDevice();

        var slots = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => AppendAsync(device, $"m{i}", cts.Token)));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), slots.Select(s => s.N).Order());
        var stored = await store.Inbox.ReadAsync(device, 0, 8, cts.Token);
        Assert.Equal(8, stored.Select(e => e.Entry!.Message!.Message).Distinct().Count());
    }

    [Fact]
    public async Task A_page_of_large_entries_over_the_grpc_limit_is_read_in_smaller_pages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var device = InboxStoreFixture.NewDevice();
        var big = new string('x', 400 * 1024);
        for (var i = 0; i < 14; i++) // ~5.6 MB of entries: one bulk read would exceed the 4 MiB gRPC message limit
        {
            await AppendAsync(device, big + i, cts.Token);
        }

        var page = await store.Inbox.ReadAsync(device, 0, 14, cts.Token);

        Assert.Equal(Enumerable.Range(0, 14).Select(i => big + i), page.Select(p => p.Entry!.Message!.Message));
    }

    [Fact]
    public async Task A_64_KiB_message_to_300_devices_is_one_transaction_and_one_that_cannot_fit_is_refused_before_writing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var user = InboxStoreFixture.NewDevice().UserId;
        var devices = Enumerable.Range(0, 300).Select(i => new DeviceAddress(user, $"d{i}")).ToList();
        await Task.WhenAll(devices.Select(d => store.Inbox.EnsureHeadAsync(d, cts.Token)));
        var message = new string('x', 64 * 1024); // the product limit, a 100-member group with 3 devices each

        var slots = await store.Inbox.AppendAsync(devices, Entry(message), "unused-fence",
            (_, _) => Task.FromResult<IReadOnlyList<Dapr.Client.StateTransactionRequest>>([]), cts.Token);
        var escaped = new string('\u0001', 64 * 1024); // six bytes stored per character: ~115 MiB for 300 copies
        var refusal = await Assert.ThrowsAsync<AppendTooLargeException>(() => store.Inbox.AppendAsync(devices, Entry(escaped), "unused-fence",
            (_, _) => Task.FromResult<IReadOnlyList<Dapr.Client.StateTransactionRequest>>([]), cts.Token));

        Assert.Equal(300, slots.Count);
        Assert.Equal(message, (await store.Inbox.ReadAsync(devices[299], 0, 1, cts.Token)).Single().Entry!.Message!.Message);
        Assert.Equal((0, 1), await store.Inbox.BoundsAsync(devices[0], cts.Token)); // the refused one wrote nothing
        Assert.InRange(refusal.MaxEntryBytes, 64 * 1024, 1024 * 1024);
    }

    [Fact]
    public async Task Acknowledged_entries_are_gone_and_purge_moves_the_tail_past_expired_ones()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var device = InboxStoreFixture.NewDevice();
        for (var i = 0; i < 4; i++)
        {
            await AppendAsync(device, $"m{i}", cts.Token, enqueuedAt: i < 2 ? 1_000 : 5_000);
        }

        await store.Inbox.AcknowledgeAsync(device, [2], cts.Token);
        var purged = await store.Inbox.PurgeExpiredAsync(device, cutoff: 2_000, cts.Token);

        Assert.Equal(2, purged);
        Assert.Equal((3, 4), await store.Inbox.BoundsAsync(device, cts.Token)); // 0, 1 expired, 2 acked: the tail moves to 3
        Assert.Equal([null, null, null, "m3"], (await store.Inbox.ReadAsync(device, 0, 4, cts.Token)).Select(e => e.Entry?.Message?.Message));
    }

    [Fact]
    public async Task Pending_lists_what_is_stored_between_tail_and_head_in_order()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var device = InboxStoreFixture.NewDevice();
        Assert.Empty(await store.Inbox.PendingAsync(device, cts.Token)); // no head yet
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync(device, $"m{i}", cts.Token);
        }

        await store.Inbox.AcknowledgeAsync(device, [1, 3], cts.Token);
        await store.Inbox.AdvanceTailAsync(device, 1, cts.Token); // entry 0 stays stored, but below the tail it is done

        var pending = await store.Inbox.PendingAsync(device, cts.Token);
        Assert.Equal([(2L, "m2"), (4L, "m4")], pending.Select(p => (p.N, p.Entry.Message!.Message)));
    }

    private async Task<InboxSlot> AppendAsync(DeviceAddress device, string text, CancellationToken ct, long enqueuedAt = 1) =>
        (await store.Inbox.AppendAsync([device], Entry(text, enqueuedAt), "unused-fence",
            (_, _) => Task.FromResult<IReadOnlyList<Dapr.Client.StateTransactionRequest>>([]), ct)).Single();

    internal static InboxEntry Entry(string text, long enqueuedAt = 1) =>
        new(InboxEntryKinds.NewMessage, new MessagePayload("chat", Guid.NewGuid().ToString(), 1, "sender", text, [], enqueuedAt), null, enqueuedAt, null);
}
