using System.Net.Http.Json;

namespace Natter.EndToEnd.Tests;

/// <summary>
/// An AppHost for the tests that kill processes (failover, chaos). Its tests run one after another, each with users of
/// its own; the AppHost restarts what they kill, and each test starts on a whole system.
/// </summary>
public sealed class DestructiveAppFixture : NatterAppFixture
{
    /// <summary>
    /// Waits until every resource is running and healthy, and stays so for three checks a second apart: a test that
    /// killed a resource leaves it to the AppHost's restart, and the next test starts on the whole system.
    /// </summary>
    public async Task WaitUntilWholeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var steady = 0;
        while (steady < 3)
        {
            steady = AllResources.All(IsRunningAndHealthy) ? steady + 1 : 0;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the system did not become whole again within {StartTimeout}: {DescribeResources()}");
            }
        }
    }

    private bool IsRunningAndHealthy(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var e)
        && e.Snapshot.State?.Text == Aspire.Hosting.ApplicationModel.KnownResourceStates.Running
        && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;
}

[CollectionDefinition(Name)]
public sealed class DestructiveCollection : ICollectionFixture<DestructiveAppFixture>
{
    public const string Name = "natter-app-destructive";
}

/// <summary>
/// An AppHost with the test clock on, for the tests that move every service's clock forward (the simulated month).
/// Kept apart from the destructive one: a process the AppHost restarts comes back on the real clock, and failover
/// under clocks a month apart is not a scenario worth testing.
/// </summary>
public sealed class TestClockAppFixture : NatterAppFixture
{
    protected override IEnumerable<string> AppHostArgs => ["--Natter:TestClock=true"];

    /// <summary>Moves every service's clock forward together; tests in this collection only ever add to it.</summary>
    public async Task AdvanceClocksAsync(TimeSpan by)
    {
        foreach (var service in new[] { "chatservice-a", "chatservice-b", "gateway-a", "gateway-b", "mediaservice" })
        {
            using var http = new HttpClient { BaseAddress = HttpEndpoint(service) };
            var response = await http.PostAsJsonAsync("/dev/clock", new { advanceSeconds = by.TotalSeconds });
            response.EnsureSuccessStatusCode();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TestClockCollection : ICollectionFixture<TestClockAppFixture>
{
    public const string Name = "natter-app-test-clock";
}
