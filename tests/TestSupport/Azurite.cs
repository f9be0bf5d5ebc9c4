namespace Natter.TestSupport;

/// <summary>A real Azurite blob emulator on a free port with its own folder.</summary>
public sealed class Azurite : IAsyncDisposable
{
    // Development only: Azurite's published, well-known account key.
    private const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ChildProcess _process;
    private readonly string _folder;

    private Azurite(ChildProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        // 127.0.0.1, not localhost: with localhost on a port other than 10000 the SDK builds wrong URLs.
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<Azurite> StartAsync()
    {
        var executable = Path.Combine(RepositoryPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed: run 'npm ci' in tools/azurite ({executable}).");
        }
        var port = FreePorts.Next();
        var folder = Path.Combine(Path.GetTempPath(), $"natter-media-azurite-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var process = ChildProcess.Start(executable,
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--location", folder, "--skipApiVersionCheck", "--loose", "--silent"]);
        var azurite = new Azurite(process, folder, port);
        try
        {
            await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
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
