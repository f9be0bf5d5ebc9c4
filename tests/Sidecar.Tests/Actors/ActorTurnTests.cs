using Natter.Sidecar.Actors.Activation;
using Natter.Sidecar.Tests.Actors.Support;
using Natter.Sidecar.Tests.Infrastructure;

using static Natter.Sidecar.Tests.Actors.Support.RedisForActors;

namespace Natter.Sidecar.Tests.Actors;

/// <summary>A turn is held until the app's handler returns, whatever the caller does meanwhile.</summary>
[Collection(ActorCollection.Name)]
public sealed class ActorTurnTests
{
    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Caller_cancelling_a_running_turn_does_not_let_a_second_turn_start_before_the_app_returns()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        await using var node = await ActorNode.StartAsync("a", redis, monitor, new NodeOptions(), ct);
        const string id = "held";
        using var http = new HttpClient { BaseAddress = new Uri(node.SidecarUrl) };
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // A JSON (non-remoting) call, so the caller's cancellation is ours to trigger.
        var first = http.PutAsync($"/v1.0/actors/{ActorNode.ActorType}/{id}/method/HoldAsync", new StringContent(""), caller.Token);
        await node.Probe.Entered(id).WaitAsync(ct);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var second = node.Counter(id).IncrementAsync();

        // Either the second turn reached the app (the bug) or it queues at the sidecar behind the held turn.
        Assert.True(await Eventually.TrueAsync(() => monitor.AppRequestsInFlight(id) >= 2
            || (node.ActiveActors.TryGet(new ActorKey(ActorNode.ActorType, id), out var activation) && activation!.Waiting >= 2)));
        Assert.Equal(1, monitor.AppRequestsInFlight(id));
        Assert.False(second.IsCompleted);

        node.Probe.Release(id);

        Assert.Equal(1, await second.WaitAsync(ct));
        Assert.Equal(0, monitor.AppRequestOverlaps);
    }
}

/// <summary>A placement change hands an actor over only after the losing host's running turn has returned.</summary>
[Collection(ActorCollection.Name)]
public sealed class ActorHandoffTests
{
    private static CancellationToken Timeout(int seconds = 90) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>
    /// Regression (seen as chats refusing sends for over 90 s after a chat service was killed and restarted): a
    /// restarted sidecar comes back on its predecessor's address, and a new owner's drain meant for the dead instance
    /// reached it and waited for its own turn of the actor, while that turn waited for the new owner's drain.
    /// </summary>
    [Fact]
    public async Task A_drain_meant_for_another_instance_is_refused_at_once_without_waiting_for_the_running_turn()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        await using var node = await ActorNode.StartAsync("a", redis, monitor, new NodeOptions(), ct);
        const string id = "held-while-drained";
        var held = node.Counter(id).HoldAsync();
        await node.Probe.Entered(id).WaitAsync(ct);

        using var http = new HttpClient { BaseAddress = new Uri(node.SidecarUrl), Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/internal/actors/{ActorNode.ActorType}/{id}/drain");
        request.Headers.Add("natter-actor-instance", "a-sidecar-that-died");
        using var response = await http.SendAsync(request, ct);

        Assert.Equal(System.Net.HttpStatusCode.Gone, response.StatusCode);
        Assert.False(held.IsCompleted, "the turn was still running when the drain was answered");
        Assert.True(node.ActiveActors.TryGet(new ActorKey(ActorNode.ActorType, id), out _), "the actor stayed active");
        node.Probe.Release(id);
        await held.WaitAsync(ct);
    }

    [Fact]
    public async Task New_owner_does_not_start_a_turn_while_the_previous_owner_still_runs_one()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        await using var a = await ActorNode.StartAsync("a", redis, monitor, new NodeOptions(), ct);
        var ids = Enumerable.Range(0, 12).Select(i => $"chat-{i}").ToArray();
        // Every actor runs a long turn on a, the only host so far.
        var holds = ids.Select(id => a.Counter(id).HoldAsync()).ToArray();
        await Task.WhenAll(ids.Select(id => a.Probe.Entered(id))).WaitAsync(ct);

        await using var b = await ActorNode.StartAsync("b", redis, monitor, new NodeOptions(), ct);
        await b.WaitForHostsAsync(2, ct);
        var moved = ids.Where(b.Owns).ToArray();
        Assert.NotEmpty(moved); // rendezvous hashing gives b about half of them
        var increments = moved.Select(id => b.Counter(id).IncrementAsync()).ToArray();

        // Each moved actor's call either reached b's app (the bug) or waits at b for a to hand the actor over.
        Assert.True(await Eventually.TrueAsync(() => moved.All(id => monitor.AppRequestsInFlight(id) >= 2
            || (b.ActiveActors.TryGet(new ActorKey(ActorNode.ActorType, id), out var activation) && activation!.Waiting >= 1))));
        Assert.All(moved, id => Assert.Equal(1, monitor.AppRequestsInFlight(id)));
        Assert.DoesNotContain(increments, t => t.IsCompleted);

        foreach (var id in ids)
        {
            a.Probe.Release(id);
        }
        await Task.WhenAll(holds).WaitAsync(ct);

        Assert.All(await Task.WhenAll(increments).WaitAsync(ct), count => Assert.Equal(1, count));
        Assert.Equal(0, monitor.AppRequestOverlaps);
        // a deactivated what it lost, and b activated it only after that.
        Assert.All(moved, id => Assert.Equal(1, a.Probe.Deactivations.GetValueOrDefault(id)));
        Assert.All(moved, id => Assert.Equal(1, b.Probe.Activations.GetValueOrDefault(id)));
    }
}
