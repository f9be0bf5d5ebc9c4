using Natter.Sidecar.Tests.Actors.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Natter.Sidecar.Tests.Infrastructure;

using static Natter.Sidecar.Tests.Actors.Support.RedisForActors;

namespace Natter.Sidecar.Tests.Actors;

[Collection(ActorCollection.Name)]
public sealed class ActorPlacementTests
{
    private static CancellationToken Timeout(int seconds = 90) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Theory]
    [InlineData("redis")]
    [InlineData("postgresql")]
    public async Task Two_instances_never_run_two_turns_of_one_actor_and_each_actor_lives_in_one_place(string actorStore)
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var store = await ActorStore.StartAsync(actorStore);
        var monitor = new TurnMonitor();
        await using var a = await ActorNode.StartAsync("a", redis, monitor, store.Apply(new NodeOptions()), ct);
        await using var b = await ActorNode.StartAsync("b", redis, monitor, store.Apply(new NodeOptions()), ct);
        await a.WaitForHostsAsync(2, ct);
        await b.WaitForHostsAsync(2, ct);
        var ids = Enumerable.Range(0, 16).Select(i => $"chat-{i}").ToArray();
        const int callsPerActorPerSidecar = 8;

        await Task.WhenAll(ids.SelectMany(id => new[] { a, b }.Select(async node =>
        {
            var counter = node.Counter(id);
            for (var i = 0; i < callsPerActorPerSidecar; i++)
            {
                await counter.IncrementAsync();
            }
        })));

        Assert.Equal(0, monitor.Overlaps);
        foreach (var id in ids)
        {
            var activatedIn = new[] { a, b }.Where(n => n.Probe.Activations.ContainsKey(id)).Select(n => n.Name).ToList();
            Assert.Single(activatedIn);
            Assert.Equal(1, activatedIn[0] == "a" ? a.Probe.Activations[id] : b.Probe.Activations[id]);
            Assert.Equal(2 * callsPerActorPerSidecar, await a.Counter(id).GetCountAsync());
        }
        // Rendezvous hashing spreads the 16 actors over both instances.
        Assert.NotEmpty(a.Probe.Activations);
        Assert.NotEmpty(b.Probe.Activations);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgresql")]
    public async Task Actor_of_a_killed_owner_reactivates_on_the_survivor_with_its_state(string actorStore)
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var store = await ActorStore.StartAsync(actorStore);
        var monitor = new TurnMonitor();
        // A crash: the dead host's lease is not released and must expire.
        var crash = store.Apply(new NodeOptions { ReleaseLeaseOnStop = false });
        await using var a = await ActorNode.StartAsync("a", redis, monitor, crash, ct);
        await using var b = await ActorNode.StartAsync("b", redis, monitor, crash, ct);
        await a.WaitForHostsAsync(2, ct);
        await b.WaitForHostsAsync(2, ct);
        var id = Enumerable.Range(0, 100).Select(i => $"owned-by-b-{i}").First(b.Owns);
        var viaA = a.Counter(id);
        for (var i = 0; i < 3; i++)
        {
            await viaA.IncrementAsync();
        }
        Assert.Equal("b", await viaA.WhereAsync());

        await b.StopAsync();

        // Calls wait while the dead owner's lease runs out, then land on the survivor.
        Assert.Equal(4, await viaA.IncrementAsync());
        Assert.Equal("a", await viaA.WhereAsync());
        Assert.Equal(1, a.Probe.Activations[id]);
    }

    [Fact]
    public async Task Active_actor_is_deactivated_on_its_old_host_when_a_new_host_takes_it_over()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        await using var a = await ActorNode.StartAsync("a", redis, monitor, new NodeOptions(), ct);
        var ids = Enumerable.Range(0, 12).Select(i => $"mover-{i}").ToArray();
        foreach (var id in ids)
        {
            await a.Counter(id).IncrementAsync();
        }

        await using var b = await ActorNode.StartAsync("b", redis, monitor, new NodeOptions(), ct);
        await a.WaitForHostsAsync(2, ct);
        var moved = ids.Where(b.Owns).ToList();
        Assert.NotEmpty(moved);
        while (moved.Any(id => !a.Probe.Deactivations.ContainsKey(id)))
        {
            await Task.Delay(50, ct);
        }

        foreach (var id in moved)
        {
            Assert.Equal(2, await a.Counter(id).IncrementAsync());
            Assert.True(b.Probe.Activations.ContainsKey(id));
        }
        Assert.All(ids.Except(moved), id => Assert.False(a.Probe.Deactivations.ContainsKey(id)));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgresql")]
    public async Task Reminders_of_a_killed_owner_keep_firing_on_the_survivor(string actorStore)
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var store = await ActorStore.StartAsync(actorStore);
        var monitor = new TurnMonitor();
        var crash = store.Apply(new NodeOptions { ReleaseLeaseOnStop = false });
        await using var a = await ActorNode.StartAsync("a", redis, monitor, crash, ct);
        await using var b = await ActorNode.StartAsync("b", redis, monitor, crash, ct);
        await a.WaitForHostsAsync(2, ct);
        await b.WaitForHostsAsync(2, ct);
        var id = Enumerable.Range(0, 100).Select(i => $"reminded-{i}").First(b.Owns);
        await a.Counter(id).RemindAsync(new ReminderRequest("beat", TimeSpan.Zero, TimeSpan.FromMilliseconds(300), "alive"));
        while (b.Probe.Reminders.Count < 2)
        {
            await Task.Delay(50, ct);
        }
        Assert.Empty(a.Probe.Reminders);

        await b.StopAsync();

        while (a.Probe.Reminders.Count < 2)
        {
            await Task.Delay(50, ct);
        }
        Assert.All(a.Probe.Reminders, r => Assert.Equal((id, "beat", "alive"), r));
    }

    [Fact]
    public async Task Sidecar_of_an_app_without_actors_forwards_calls_to_the_hosting_instance()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var host = await ActorNode.StartAsync("host", redis, new TurnMonitor(), new NodeOptions(), ct);
        using var resources = new ResourcesFolder().WithRedisState(redis.Address, actorStateStore: true);
        var settings = new SidecarSettings("gateway", resources.Path) { AppPort = FreePorts.Next() };
        // An app whose auth middleware refuses everything, /dapr/config included, like a gateway that only calls actors.
        var appBuilder = WebApplication.CreateSlimBuilder();
        appBuilder.WebHost.UseUrls($"http://127.0.0.1:{settings.AppPort}");
        await using var gatewayApp = appBuilder.Build();
        gatewayApp.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        await gatewayApp.StartAsync(ct);
        await using var gatewaySidecar = await SidecarHost.StartAsync(settings, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        var proxy = new Dapr.Actors.Client.ActorProxyFactory(new Dapr.Actors.Client.ActorProxyOptions { HttpEndpoint = settings.HttpEndpoint })
            .CreateActorProxy<ICounterActor>(new Dapr.Actors.ActorId("from-gateway"), ActorNode.ActorType);

        Assert.Equal(1, await proxy.IncrementAsync());
        Assert.Equal("host", await proxy.WhereAsync());
    }
}
