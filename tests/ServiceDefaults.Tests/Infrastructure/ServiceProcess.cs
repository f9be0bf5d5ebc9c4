using Natter.TestSupport;

namespace Natter.ServiceDefaults.Tests.Infrastructure;

/// <summary>A built Natter service run as its own process (dotnet Natter.X.dll), as a deployment runs it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServiceProcess(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Output => _process.Output;

    /// <param name="project">The project folder, e.g. ConnectionGateway; its assembly is Natter.{project}.dll.</param>
    public static ServiceProcess Start(string project, string environment, IDictionary<string, string> settings)
    {
        var port = FreePorts.Next();
        var variables = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = environment,
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            // No sidecar runs here: every Dapr call fails fast instead of waiting.
            ["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:9",
            ["DAPR_GRPC_ENDPOINT"] = "http://127.0.0.1:9",
        };
        foreach (var (key, value) in settings)
        {
            variables[key] = value;
        }
        return new ServiceProcess(ChildProcess.Start("dotnet", [AssemblyPath(project)], variables), port);
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public Task<int> ExitCodeAsync(TimeSpan timeout) => _process.ExitCodeAsync(timeout);

    /// <summary>Waits until the service listens; fails with its output if it exits first.</summary>
    public Task WaitUntilListeningAsync(TimeSpan timeout) => _process.WaitForPortAsync(Port, timeout);

    public HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };

    private static string AssemblyPath(string project)
    {
        var path = RepositoryPaths.BuiltAssembly(project, $"Natter.{project}");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build {project} first", path);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
