using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Natter.EndToEnd.Tests;

/// <summary>Starts the real AppHost once for a collection and waits until every resource is healthy.</summary>
public class NatterAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public static readonly string[] Services =
        ["chatservice-a", "chatservice-b", "mediaservice", "gateway-a", "gateway-b"];

    public static readonly string[] AllResources =
        ["redis", "blobs", .. Services, .. Services.Select(s => $"{s}-dapr"), "pushsender", "pushsender-dapr", "webclient"];

    private readonly string _runDirectory = Path.Combine(Path.GetTempPath(), $"natter-e2e-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Push notifications: the webhook the push sender calls, started before the boot (Push/PushReceiver.cs).</summary>
    public Push.PushReceiver PushReceiver { get; } = new();

    /// <summary>The Dapr resources path, relative to the repository root. Subclasses swap it.</summary>
    protected virtual string ResourcesPath => "components";

    /// <summary>Extra AppHost arguments. Subclasses add them.</summary>
    protected virtual IEnumerable<string> AppHostArgs => [];

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Natter:RunDirectory={_runDirectory}", $"--Dapr:ResourcesPath={ResourcesPath}", "--Dapr:Runtime=local", PushReceiver.AppHostArgument, .. AppHostArgs],
            cts.Token);
        builder.Services.AddLogging(logging => logging.AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));
        App = await builder.BuildAsync(cts.Token);
        CollectLogs();
        try
        {
            await App.StartAsync(cts.Token);
            foreach (var resource in AllResources)
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var unhealthy = AllResources.Where(r => !App.ResourceNotifications.TryGetCurrentState(r, out var e)
                || e.Snapshot.HealthStatus != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);
            throw new TimeoutException($"The app did not become healthy within {StartTimeout}: {DescribeResources()}\n"
                + string.Join("\n", unhealthy.Select(r => $"--- {r} ---\n{RecentLogs(r, 25)}")));
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<string>> _logs = new();
    private readonly CancellationTokenSource _stopLogs = new();

    /// <summary>Keeps each resource's recent console lines, so a failure can show what the resource said.</summary>
    private void CollectLogs()
    {
        var loggerService = App.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in AllResources)
        {
            var lines = _logs.GetOrAdd(resource, _ => new());
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in loggerService.WatchAsync(resource).WithCancellation(_stopLogs.Token))
                    {
                        foreach (var line in batch)
                        {
                            lines.Enqueue(line.Content);
                            while (lines.Count > 200 && lines.TryDequeue(out _)) { }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The fixture is shutting down.
                }
            });
        }
    }

    /// <summary>The recent console output of one resource.</summary>
    public string RecentLogs(string resource, int lines = 40) =>
        _logs.TryGetValue(resource, out var queue) ? string.Join('\n', queue.TakeLast(lines)) : "";

    /// <summary>Each resource's state and health, so a start-up timeout says which resource is stuck.</summary>
    public string DescribeResources() => string.Join("; ", AllResources.Select(name =>
        App.ResourceNotifications.TryGetCurrentState(name, out var e)
            ? $"{name}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}"
              + string.Concat(e.Snapshot.HealthReports.Where(r => r.Status != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                  .Select(r => $" [{r.Name}: {r.Description}{r.ExceptionText?.Split('\n')[0]}]"))
            : $"{name}=unknown"));

    public async Task DisposeAsync()
    {
        await _stopLogs.CancelAsync();
        PushReceiver.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        try
        {
            Directory.Delete(_runDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the folder is under /tmp and harmless.
        }
    }

    public Uri HttpEndpoint(string resource) => App.GetEndpoint(resource, "http");
}

[CollectionDefinition(Name)]
public sealed class NatterAppCollection : ICollectionFixture<NatterAppFixture>
{
    public const string Name = "natter-app";
}
