namespace Natter.Sidecar.Hosting;

/// <summary>
/// The daprd flags this sidecar accepts, with daprd's names, so the AppHost builds one argument list for either binary.
/// </summary>
public sealed record SidecarOptions
{
    public required string AppId { get; init; }
    public int? AppPort { get; init; }
    public string AppProtocol { get; init; } = "http";
    public string AppHost { get; init; } = "127.0.0.1";
    public int DaprHttpPort { get; init; } = 3500;
    public int DaprGrpcPort { get; init; } = 50001;
    public required string ResourcesPath { get; init; }
    public string LogLevel { get; init; } = "info";

    /// <summary>DAPR_API_TOKEN: when set, every API call must carry it in the dapr-api-token header.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: when set, sent to the app as dapr-api-token on every call.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>This sidecar's instance id: distinct per process, used for placement leases and consumer names.</summary>
    public string InstanceId { get; init; } = DefaultInstanceId();

    // Capped at 48 characters; a short machine name gives a shorter id (slicing [..48] would throw).
    private static string DefaultInstanceId()
    {
        var id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        return id.Length > 48 ? id[..48] : id;
    }

    public Uri AppBaseUri => new($"http://{AppHost}:{AppPort}");
}
