using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Natter.EndToEnd.Tests;

/// <summary>Starts the real AppHost once for a collection and waits until every resource is healthy.</summary>
public class NatterAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    public static readonly string[] Services =
        ["chatservice-a", "chatservice-b", "mediaservice", "gateway-a", "gateway-b"];

    public static readonly string[] AllResources =
        ["redis", "blobs", .. Services, .. Services.Select(s => $"{s}-dapr")];

    private readonly string _runDirectory = Path.Combine(Path.GetTempPath(), $"natter-e2e-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The Dapr resources path, relative to the repository root. Subclasses swap it.</summary>
    protected virtual string ResourcesPath => "components";

    /// <summary>Extra AppHost arguments (e.g. --Natter:TestClock=true). Subclasses add them.</summary>
    protected virtual IEnumerable<string> AppHostArgs => [];

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Natter:RunDirectory={_runDirectory}", $"--Dapr:ResourcesPath={ResourcesPath}", "--Dapr:Runtime=local", .. AppHostArgs],
            cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var resource in AllResources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
    }

    public async Task DisposeAsync()
    {
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
