namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>
/// What a sidecar under test is started with: daprd's flags plus its environment. Ports are chosen up front so an
/// in-process app can be pointed at its sidecar before either starts.
/// </summary>
public sealed record SidecarSettings(string AppId, string ResourcesPath)
{
    public int? AppPort { get; init; }
    public int HttpPort { get; init; } = FreePorts.Next();
    public int GrpcPort { get; init; } = FreePorts.Next();
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Further daprd flags, e.g. --max-body-size.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";
    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    public SidecarSettings WithEnvironment(string name, string? value) =>
        this with { Environment = new Dictionary<string, string?>(Environment) { [name] = value } };

    public string[] Args()
    {
        var args = new List<string>
        {
            "--app-id", AppId, "--app-protocol", "http",
            "--dapr-http-port", HttpPort.ToString(), "--dapr-grpc-port", GrpcPort.ToString(),
            "--resources-path", ResourcesPath, "--log-level", "info",
        };
        if (AppPort is { } port)
        {
            args.AddRange(["--app-port", port.ToString()]);
        }
        args.AddRange(ExtraArgs);
        return [.. args];
    }
}
