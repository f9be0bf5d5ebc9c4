using Dapr.Actors;
using Natter.Sidecar.Tests.Actors.Support;
using Natter.Sidecar.Tests.Infrastructure;

using static Natter.Sidecar.Tests.Actors.Support.RedisForActors;

namespace Natter.Sidecar.Tests.Actors;

[Collection(ActorCollection.Name)]
public sealed class ActorCallTests
{
    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Actor_call_round_trips_through_the_sidecar_and_state_accumulates()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);

        var counter = node.Counter("round-trip");
        Assert.Equal(1, await counter.IncrementAsync());
        Assert.Equal(2, await counter.IncrementAsync());
        Assert.Equal(2, await counter.GetCountAsync());
        Assert.Equal("a", await counter.WhereAsync());

        // Stored in daprd's key layout, as the JSON the SDK sent.
        var stored = await redis.Database.HashGetAsync($"counter||{ActorNode.ActorType}||round-trip||count", "data");
        Assert.Equal("2", (string?)stored);
    }

    [Fact]
    public async Task In_memory_actor_state_store_keeps_actors_and_reminders_on_this_host_alone()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("solo", redis, new TurnMonitor(), new NodeOptions { InMemoryStore = true }, ct);
        var counter = node.Counter("local");

        Assert.Equal(1, await counter.IncrementAsync());
        Assert.Equal(2, await counter.IncrementAsync());
        await counter.RemindAsync(new ReminderRequest("r", TimeSpan.Zero, TimeSpan.Zero, "in memory"));
        while (node.Probe.Reminders.IsEmpty)
        {
            await Task.Delay(50, ct);
        }

        Assert.Equal(("local", "r", "in memory"), Assert.Single(node.Probe.Reminders));
        Assert.Single(node.Placement.Table.Hosts);
        // Nothing went to Redis: neither leases nor state.
        Assert.Empty(await redis.Server.Connection.GetServer(redis.Address).KeysAsync().ToListAsync(ct));
    }

    [Fact]
    public async Task Actor_method_that_throws_surfaces_as_an_exception_at_the_proxy()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);

        var error = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => node.Counter("thrower").FailAsync("chat is full"));

        Assert.Contains("chat is full", error.InnerException?.Message ?? "", StringComparison.Ordinal);
        // The actor still works after the failed turn.
        Assert.Equal(1, await node.Counter("thrower").IncrementAsync());
    }

    [Fact]
    public async Task Actor_state_persists_across_idle_deactivation()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(),
            new NodeOptions { ActorIdleTimeout = TimeSpan.FromSeconds(1), ActorScanInterval = TimeSpan.FromMilliseconds(200) }, ct);
        var counter = node.Counter("sleepy");
        await counter.IncrementAsync();
        await counter.IncrementAsync();

        while (!node.Probe.Deactivations.ContainsKey("sleepy"))
        {
            await Task.Delay(50, ct);
        }
        Assert.Equal(0, node.ActiveActors.Count);

        Assert.Equal(3, await counter.IncrementAsync());
        Assert.Equal(2, node.Probe.Activations["sleepy"]);
    }

    [Fact]
    public async Task Busy_actor_is_not_deactivated_while_idle_one_is()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(),
            new NodeOptions { ActorIdleTimeout = TimeSpan.FromSeconds(1), ActorScanInterval = TimeSpan.FromMilliseconds(200) }, ct);
        await node.Counter("idle").IncrementAsync();
        var busy = node.Counter("busy");

        while (!node.Probe.Deactivations.ContainsKey("idle"))
        {
            await busy.IncrementAsync();
            await Task.Delay(100, ct);
        }

        Assert.False(node.Probe.Deactivations.ContainsKey("busy"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActorCollection
{
    public const string Name = "Actors";
}
