using Natter.Sidecar.Tests.Actors.Support;
using Natter.Sidecar.Tests.Infrastructure;

using static Natter.Sidecar.Tests.Actors.Support.RedisForActors;

namespace Natter.Sidecar.Tests.Actors;

[Collection(ActorCollection.Name)]
public sealed class ActorReminderTests
{
    private static CancellationToken Timeout(int seconds = 90) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task Reminder_fires_with_its_data_and_keeps_firing_after_a_sidecar_restart()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        var first = await ActorNode.StartAsync("first", redis, monitor, new NodeOptions(), ct);
        await first.Counter("alarm").RemindAsync(new ReminderRequest("ring", TimeSpan.Zero, TimeSpan.FromMilliseconds(300), "wake up"));
        await WaitUntilAsync(() => first.Probe.Reminders.Count >= 2, ct);
        Assert.All(first.Probe.Reminders, r => Assert.Equal(("alarm", "ring", "wake up"), r));

        await first.StopAsync();
        await using var second = await ActorNode.StartAsync("second", redis, monitor, new NodeOptions(), ct);

        await WaitUntilAsync(() => second.Probe.Reminders.Count >= 2, ct);
        Assert.All(second.Probe.Reminders, r => Assert.Equal(("alarm", "ring", "wake up"), r));
        Assert.True(await second.Counter("alarm").HasReminderAsync("ring"));
    }

    [Fact]
    public async Task Reminder_due_while_no_host_was_running_fires_when_the_next_owner_loads_it()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        var monitor = new TurnMonitor();
        var first = await ActorNode.StartAsync("first", redis, monitor, new NodeOptions(), ct);
        await first.Counter("later").RemindAsync(new ReminderRequest("once", TimeSpan.FromSeconds(2), TimeSpan.Zero, "late"));
        await first.StopAsync();
        Assert.Empty(first.Probe.Reminders);
        var dueAt = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < dueAt)
        {
            await Task.Delay(100, ct); // The reminder falls due while no sidecar runs.
        }

        await using var second = await ActorNode.StartAsync("second", redis, monitor, new NodeOptions(), ct);

        await WaitUntilAsync(() => second.Probe.Reminders.Count >= 1, ct);
        Assert.Equal(("later", "once", "late"), Assert.Single(second.Probe.Reminders));
        // A one-shot reminder is deleted after it fired.
        await WaitUntilAsync(() => second.Reminders.ScheduledCount == 0, ct);
        Assert.False(await second.Counter("later").HasReminderAsync("once"));
    }

    [Fact]
    public async Task Unregistered_reminder_stops_firing_and_is_gone()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        var actor = node.Counter("quiet");
        await actor.RemindAsync(new ReminderRequest("tick", TimeSpan.Zero, TimeSpan.FromMilliseconds(200), "x"));
        await WaitUntilAsync(() => node.Probe.Reminders.Count >= 2, ct);

        await actor.ForgetReminderAsync("tick");
        var afterUnregister = node.Probe.Reminders.Count;

        Assert.False(await actor.HasReminderAsync("tick"));
        Assert.Equal(0, node.Reminders.ScheduledCount);
        // Observe five periods: a live reminder would fire in each.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.InRange(node.Probe.Reminders.Count, afterUnregister, afterUnregister + 1);
    }

    [Fact]
    public async Task Reminder_with_repetitions_fires_that_many_times()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        var body = """{"dueTime":"0h0m0s0ms","period":"R3/PT1S","data":"cmVwZWF0"}""";
        using var http = new HttpClient();
        var response = await http.PutAsync($"{node.SidecarUrl}/v1.0/actors/{ActorNode.ActorType}/thrice/reminders/r",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        response.EnsureSuccessStatusCode();

        await WaitUntilAsync(() => node.Probe.Reminders.Count >= 3 && node.Reminders.ScheduledCount == 0, ct);
        Assert.Equal(3, node.Probe.Reminders.Count);
        Assert.All(node.Probe.Reminders, r => Assert.Equal(("thrice", "r", "repeat"), r));
    }

    [Fact]
    public async Task Timer_fires_repeatedly_on_the_owner_with_its_data()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(),
            new NodeOptions { ActorIdleTimeout = TimeSpan.FromSeconds(3), ActorScanInterval = TimeSpan.FromMilliseconds(200) }, ct);

        await node.Counter("ticker").StartTimerAsync(new ReminderRequest("t", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150), "tock"));

        await WaitUntilAsync(() => node.Probe.Timers.Count >= 3, ct);
        Assert.All(node.Probe.Timers, t => Assert.Equal(("ticker", "tock"), t));
    }
}
