using Natter.Chaos;
using Xunit.Abstractions;

namespace Natter.EndToEnd.Tests.Chaos;

/// <summary>
/// The short chaos run (Natter issue 10): one cycle of the five faults under load, then the history check.
/// It shares the destructive AppHost with the failover tests: each starts on a whole system (the AppHost restarts what
/// the run killed).
/// The long run is `dotnet run -c Release --project bench -- chaos`; its figures are in RELIABILITY.md.
/// </summary>
[Collection(DestructiveCollection.Name)]
public sealed class ChaosTests(DestructiveAppFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.WaitUntilWholeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Under_kills_pauses_and_a_redis_crash_no_acknowledged_message_is_lost_duplicated_or_reordered()
    {
        // The machine is shared and loaded: a modest rate, generous bounds; no timing figure is asserted.
        var options = new ChaosOptions
        {
            Load = new ChaosLoadOptions(MessagesPerSecond: 15),
            WarmUp = TimeSpan.FromSeconds(8),
            CalmAfterFault = TimeSpan.FromSeconds(6),
            Progress = output.WriteLine,
        };
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(8));

        var result = await ChaosScenario.RunAsync(fixture.App, options, bound.Token);

        output.WriteLine(result.Report.Describe());
        if (!result.Report.Passed)
        {
            var path = Path.Combine(Path.GetTempPath(), $"natter-chaos-{DateTime.UtcNow:yyyyMMddHHmmss}.jsonl");
            result.Log.WriteJsonLines(path, result.Topology);
            output.WriteLine($"complete log: {path}");
            output.WriteLine(fixture.DescribeResources());
        }
        Assert.True(result.Report.Acknowledged > 0, "no message was acknowledged at all");
        Assert.True(result.Report.Passed, result.Report.Describe());
    }
}
