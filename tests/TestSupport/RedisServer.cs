namespace Natter.TestSupport;

/// <summary>A real redis-server on a free loopback port with its own folder, stopped by PID on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _folder;

    private RedisServer(ChildProcess process, string folder, int port)
    {
        (_process, _folder, Port) = (process, folder, port);
    }

    public int Port { get; }

    /// <summary>host:port, the value REDIS_HOST takes.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("natter-redis-").FullName;
        var port = FreePorts.Next();
        var process = ChildProcess.Start("/usr/bin/redis-server",
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder,
             "--save", "", "--appendonly", "no"]);
        var redis = new RedisServer(process, folder, port);
        try
        {
            await process.WaitForPortAsync(port, TimeSpan.FromSeconds(20));
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
        return redis;
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
