using Natter.Contracts;
using Natter.Functional.Tests.Infrastructure;
using Natter.Inbox;
using static Natter.Functional.Tests.Infrastructure.FunctionalClients;

namespace Natter.Functional.Tests.Retention;

[Collection(FunctionalCollection.Name)]
public sealed class InboxRetentionTests(FunctionalHost host)
{
    private readonly FunctionalClients _clients = new(host);

    [Fact]
    public async Task Message_bodies_carry_a_30_day_ttl_and_are_gone_once_every_device_acked()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        DeviceAddress phone = new(bob, NewId("phone")), tablet = new(bob, NewId("tablet"));
        await using var a = await _clients.ConnectReadyAsync(alice, NewId("a1"));
        await (await _clients.ConnectReadyAsync(bob, phone.ClientId)).DisposeAsync();
        await (await _clients.ConnectReadyAsync(bob, tablet.ClientId)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);
        // The chatUpdate of the creation is acked first, so only the message is left afterwards.
        // The acks travel after the item is surfaced, so each device stays connected until its copy is gone.
        foreach (var device in new[] { phone, tablet })
        {
            await using var socket = await _clients.ConnectAsync(bob, device.ClientId);
            await NextAsync(socket, i => i.Type == FrameTypes.ChatUpdate);
            await WaitUntilAsync(async () => (await PendingAsync(device)).Count == 0, $"{device} acked the chat update");
        }

        await a.SendMessageAsync(chat.ChatId, "keep me until both devices have me");

        Assert.Single(await PendingAsync(phone));
        var (tabletN, _) = Assert.Single(await PendingAsync(tablet));
        var ttl = Assert.Single(await host.EntryTimeToLivesAsync(phone));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
        await using (var socket = await _clients.ConnectAsync(bob, phone.ClientId))
        {
            await NextMessageAsync(socket);
            await WaitUntilAsync(async () => (await PendingAsync(phone)).Count == 0, "the phone's copy is deleted");
        }
        Assert.Equal(tabletN, Assert.Single(await PendingAsync(tablet)).N); // the tablet has not acked: its copy stays
        await using (var socket = await _clients.ConnectAsync(bob, tablet.ClientId))
        {
            await NextMessageAsync(socket);
            await WaitUntilAsync(async () => (await PendingAsync(tablet)).Count == 0, "the tablet's copy is deleted");
        }
    }

    [Fact]
    public async Task After_30_simulated_days_the_sweep_removes_idle_clients_and_everything_they_had_pending()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        DeviceAddress bobPhone = new(bob, NewId("b1"));
        await (await _clients.ConnectReadyAsync(bob, bobPhone.ClientId)).DisposeAsync();
        await using (var a = await _clients.ConnectReadyAsync(alice, NewId("a1")))
        {
            var chat = await a.CreateChatAsync([bob]);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, $"old {i}")).Status);
            }
        }
        Assert.Equal(4, (await PendingAsync(bobPhone)).Count); // the chat's creation and three messages

        // Every chat sidecar fires the cron: each day two sweeps at once, which must be harmless.
        await host.PassDaysAsync(31);

        Assert.All(host.Chats.SelectMany(c => c.Cron.Statuses), status => Assert.Equal(200, status));
        Assert.Empty(await PendingAsync(bobPhone));
        Assert.False(await host.Devices.IsActiveAsync(bobPhone, CancellationToken.None), "the idle client was retired");
        await using var back = await _clients.ConnectReadyAsync(bob, bobPhone.ClientId);
        Assert.Empty(await PendingAsync(bobPhone));
    }

    private Task<IReadOnlyList<(long N, InboxEntry Entry)>> PendingAsync(DeviceAddress device) =>
        host.Inbox.PendingAsync(device, CancellationToken.None);
}
