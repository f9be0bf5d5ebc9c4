using System.Net.Http.Json;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Security;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class InboxRetentionTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Message_bodies_carry_a_30_day_ttl_and_are_gone_once_every_device_acked()
    {
        string alice = NewId("alice"), bob = NewId("bob"), phoneId = NewId("phone"), tabletId = NewId("tablet");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        await (await _harness.ConnectReadyAsync(bob, phoneId)).DisposeAsync();
        await (await _harness.ConnectReadyAsync(bob, tabletId)).DisposeAsync();
        var chat = await a.CreateChatAsync([bob]);
        await using var redis = await _harness.ConnectRedisAsync();
        var server = _harness.RedisServer(redis);
        // The chatUpdate of the creation is acked first, so only the message is left afterwards.
        // The acks travel after the item is surfaced, so each device stays connected until its copy is gone.
        await using (var phone = await _harness.ConnectAsync(bob, phoneId))
        {
            await NextAsync(phone, i => i.Type == FrameTypes.ChatUpdate);
            await WaitUntilAsync(() => Task.FromResult(InboxEntryKeys(server, bob, phoneId).Count == 0), "the phone acked the chat update");
        }
        await using (var tablet = await _harness.ConnectAsync(bob, tabletId))
        {
            await NextAsync(tablet, i => i.Type == FrameTypes.ChatUpdate);
            await WaitUntilAsync(() => Task.FromResult(InboxEntryKeys(server, bob, tabletId).Count == 0), "the tablet acked the chat update");
        }

        await a.SendMessageAsync(chat.ChatId, "keep me until both devices have me");

        var phoneKey = Assert.Single(InboxEntryKeys(server, bob, phoneId));
        var tabletKey = Assert.Single(InboxEntryKeys(server, bob, tabletId));
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(phoneKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
        await using (var phone = await _harness.ConnectAsync(bob, phoneId))
        {
            await NextMessageAsync(phone);
            await WaitUntilAsync(() => Task.FromResult(InboxEntryKeys(server, bob, phoneId).Count == 0), "the phone's copy is deleted");
        }
        Assert.True(await redis.GetDatabase().KeyExistsAsync(tabletKey), "the tablet has not acked: its copy stays");
        await using (var tablet = await _harness.ConnectAsync(bob, tabletId))
        {
            await NextMessageAsync(tablet);
            await WaitUntilAsync(() => Task.FromResult(InboxEntryKeys(server, bob, tabletId).Count == 0), "the tablet's copy is deleted");
        }
    }
}

[Collection(TestClockCollection.Name)]
public sealed class SimulatedMonthTests(TestClockAppFixture fixture)
{

    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task After_30_simulated_days_the_sweep_removes_idle_clients_and_everything_they_had_pending()
    {
        string alice = NewId("alice"), bob = NewId("bob"), bobPhone = NewId("b1");
        await (await _harness.ConnectReadyAsync(bob, bobPhone)).DisposeAsync();
        await using (var a = await _harness.ConnectReadyAsync(alice, NewId("a1")))
        {
            var chat = await a.CreateChatAsync([bob]);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, $"old {i}")).Status);
            }
        }
        await using var redis = await _harness.ConnectRedisAsync();
        var server = _harness.RedisServer(redis);
        Assert.Equal(4, InboxEntryKeys(server, bob, bobPhone).Count); // the chat's creation and three messages

        await fixture.AdvanceClocksAsync(TimeSpan.FromDays(31));
        // Every sidecar fires the cron: two sweeps at once must be harmless.
        var sweeps = await Task.WhenAll(SweepAsync("chatservice-a"), SweepAsync("chatservice-b"));

        Assert.All(sweeps, s => Assert.True(s.IsSuccessStatusCode));
        Assert.Empty(InboxEntryKeys(server, bob, bobPhone));
        await using var back = await _harness.ConnectReadyAsync(bob, bobPhone);
        Assert.Empty(InboxEntryKeys(server, bob, bobPhone));
    }

    private async Task<HttpResponseMessage> SweepAsync(string service)
    {
        // What the cron binding does: the sidecar calls /cleanup with its APP_API_TOKEN.
        using var http = await fixture.AsSidecarAsync(service);
        return await http.PostAsync(new Uri("/cleanup", UriKind.Relative), null);
    }
}
