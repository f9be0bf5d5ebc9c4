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
