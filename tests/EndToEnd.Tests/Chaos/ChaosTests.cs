using Natter.Chaos;
using Xunit.Abstractions;

namespace Natter.EndToEnd.Tests.Chaos;

/// <summary>The destructive fixture: the chaos run kills its processes, so it gets an AppHost of its own.</summary>
/// <summary>
/// The chaos run's own AppHost. Kept apart from the failover tests: after a chaos cycle, a chat service killed later
/// in the same AppHost was seen to leave its chats refusing sends for over 90 s (an open defect, see RELIABILITY.md).
/// </summary>
public sealed class ChaosAppFixture : NatterAppFixture;

[CollectionDefinition(Name)]
public sealed class ChaosCollection : ICollectionFixture<ChaosAppFixture>
{
    public const string Name = "natter-app-chaos";
}

/// <summary>
/// The short chaos run (Natter issue 10): one cycle of the five faults under load, then the history check.
/// The long run is `dotnet run -c Release --project bench -- chaos`; its figures are in RELIABILITY.md.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ChaosTests(ChaosAppFixture fixture, ITestOutputHelper output)
{

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
