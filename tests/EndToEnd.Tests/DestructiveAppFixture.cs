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
