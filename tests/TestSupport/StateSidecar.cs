namespace Natter.TestSupport;

/// <summary>
/// A real redis-server and the real local Dapr sidecar (Sidecar project, daprd's flags) serving the "statestore"
/// component from components/statestore.yaml. The sidecar's state store arrives from the sidecar-core branch; on a
/// checkout without it, the tests that need state are skipped with that reason.
/// </summary>
public sealed class StateSidecar : IAsyncDisposable
{
    private readonly RedisServer _redis;
    private readonly ChildProcess _sidecar;
    private readonly string _folder;

    private StateSidecar(RedisServer redis, ChildProcess sidecar, string folder, int httpPort, int grpcPort)
    {
        (_redis, _sidecar, _folder) = (redis, sidecar, folder);
        HttpEndpoint = $"http://127.0.0.1:{httpPort}";
        GrpcEndpoint = $"http://127.0.0.1:{grpcPort}";
    }

    public string GrpcEndpoint { get; }

    /// <summary>The redis-server behind the components, for tests that look at what landed there.</summary>
    public string RedisAddress => _redis.Address;
    public string HttpEndpoint { get; }

    /// <summary>NATTER_SIDECAR_DLL points at a sidecar built elsewhere (e.g. another branch's); otherwise this repo's build.</summary>
    private static string? OverrideAssembly => Environment.GetEnvironmentVariable("NATTER_SIDECAR_DLL") is { Length: > 0 } dll ? dll : null;

    public static string SidecarAssembly =>
        OverrideAssembly ?? RepositoryPaths.BuiltAssembly("Sidecar", "Natter.Sidecar");

    public static string? UnavailableBecause { get; } =
        OverrideAssembly is null && !File.Exists(Path.Combine(RepositoryPaths.Root, "Sidecar", "State", "RedisStateStore.cs"))
            ? "no sidecar with a Redis state store on this branch yet (it comes from sidecar-core)"
            : !File.Exists(SidecarAssembly) ? $"the sidecar is not built ({SidecarAssembly})"
            : !File.Exists("/usr/bin/redis-server") ? "redis-server is not installed"
            : null;

    /// <summary>Starts the sidecar with the state store and, when named, more of components/ (pubsub.yaml, say).</summary>
    public static async Task<StateSidecar?> StartIfAvailableAsync(params string[] alsoComponents)
    {
        if (UnavailableBecause is not null)
        {
            return null;
        }
        var folder = Path.Combine(Path.GetTempPath(), $"natter-media-state-{Guid.NewGuid():N}");
        var components = Directory.CreateDirectory(Path.Combine(folder, "components")).FullName;
        foreach (var file in new[] { "statestore.yaml", "secretstore.yaml" }.Concat(alsoComponents))
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "components", file), Path.Combine(components, file));
        }
        var redis = await RedisServer.StartAsync();

        var (httpPort, grpcPort) = (FreePorts.Next(), FreePorts.Next());
        var sidecar = ChildProcess.Start("dotnet",
            [SidecarAssembly, "--app-id", "mediaservice", "--dapr-http-port", Invariant(httpPort),
             "--dapr-grpc-port", Invariant(grpcPort), "--resources-path", components, "--max-body-size", "64Mi", "--log-level", "warn"],
            new Dictionary<string, string> { ["REDIS_HOST"] = redis.Address });
        var state = new StateSidecar(redis, sidecar, folder, httpPort, grpcPort);
        try
        {
            await sidecar.WaitForPortAsync(httpPort, TimeSpan.FromSeconds(60));
            await sidecar.WaitForPortAsync(grpcPort, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await state.DisposeAsync();
            throw;
        }
        return state;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _redis.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Harmless leftovers under /tmp.
        }
    }
}
