using Dapr.Actors;
using Dapr.Actors.Runtime;

namespace Natter.Sidecar.Tests.Actors.Support;

public interface ICounterActor : IActor
{
    Task<int> IncrementAsync();

    Task<int> GetCountAsync();

    Task<string> WhereAsync();

    Task RemindAsync(ReminderRequest request);

    Task<bool> HasReminderAsync(string name);

    Task ForgetReminderAsync(string name);

    Task StartTimerAsync(ReminderRequest request);

    Task FailAsync(string message);

    /// <summary>Runs until the test opens the actor's gate (<see cref="ActorProbe.Release"/>): a long turn.</summary>
    Task HoldAsync();
}

/// <summary>Remoting serialises arguments with DataContractSerializer, hence the attributes.</summary>
[System.Runtime.Serialization.DataContract]
public sealed record ReminderRequest(
    [property: System.Runtime.Serialization.DataMember] string Name,
    [property: System.Runtime.Serialization.DataMember] TimeSpan DueTime,
    [property: System.Runtime.Serialization.DataMember] TimeSpan Period,
    [property: System.Runtime.Serialization.DataMember] string Data);

/// <summary>The test actor: a persisted counter that reports activations, turns, reminders and timers to a probe.</summary>
public sealed class CounterActor(ActorHost host, ActorProbe probe) : Actor(host), ICounterActor, IRemindable
{
    private const string CountKey = "count";

    protected override Task OnActivateAsync()
    {
        probe.Activated(Id.GetId());
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync()
    {
        probe.Deactivated(Id.GetId());
        return Task.CompletedTask;
    }

    public async Task<int> IncrementAsync()
    {
        using var turn = probe.EnterTurn(Id.GetId());
        var count = await GetCountAsync() + 1;
        // Yield inside the turn so an overlapping turn on another instance would be seen by the probe.
        await Task.Yield();
        await Task.Delay(2);
        await StateManager.SetStateAsync(CountKey, count);
        return count;
    }

    public async Task<int> GetCountAsync()
    {
        var stored = await StateManager.TryGetStateAsync<int>(CountKey);
        return stored.HasValue ? stored.Value : 0;
    }

    public Task<string> WhereAsync() => Task.FromResult(probe.Instance);

    public Task RemindAsync(ReminderRequest request) =>
        RegisterReminderAsync(request.Name, System.Text.Encoding.UTF8.GetBytes(request.Data), request.DueTime, request.Period);

    public async Task<bool> HasReminderAsync(string name) => await GetReminderAsync(name) is not null;

    public Task ForgetReminderAsync(string name) => UnregisterReminderAsync(name);

    public Task StartTimerAsync(ReminderRequest request) =>
        RegisterTimerAsync(request.Name, nameof(OnTimerAsync), System.Text.Encoding.UTF8.GetBytes(request.Data), request.DueTime, request.Period);

    public Task OnTimerAsync(byte[] data)
    {
        probe.TimerFired(Id.GetId(), System.Text.Encoding.UTF8.GetString(data));
        return Task.CompletedTask;
    }

    public Task FailAsync(string message) => throw new InvalidOperationException(message);

    public Task HoldAsync() => probe.HoldAsync(Id.GetId());

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        probe.Reminded(Id.GetId(), reminderName, System.Text.Encoding.UTF8.GetString(state));
        return Task.CompletedTask;
    }
}
