namespace Natter.AppHost.Tests;

/// <summary>A machine without redis-server: the AppHost, run for real, stops at once and says what to install.</summary>
public sealed class MissingRedisTests : IDisposable
{
    private readonly string _runDirectory = Directory.CreateTempSubdirectory("natter-no-redis-").FullName;

    public void Dispose() => Directory.Delete(_runDirectory, recursive: true);

    [Fact]
    public async Task Without_redis_server_on_PATH_the_AppHost_exits_and_says_how_to_install_it()
    {
        var appHost = TestSupport.RepositoryPaths.BuiltAssembly("AppHost", "AppHost");
        Assert.True(File.Exists(appHost), $"build the AppHost first: {appHost}");

        await using var process = TestSupport.ChildProcess.Start("dotnet", [appHost], new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_runDirectory, "empty-bin"), // dotnet itself is found on this test's own PATH
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Natter__RunDirectory"] = _runDirectory,
            // What the launch profile gives `./natter up`, on free ports: without the check, this AppHost would run.
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestSupport.FreePorts.Next()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{TestSupport.FreePorts.Next()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{TestSupport.FreePorts.Next()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
        });

        var exitCode = await process.ExitCodeAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("redis-server is not installed", process.Output);
        Assert.Contains("apt-get install redis-server", process.Output);
    }
}
