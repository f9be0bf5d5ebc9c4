using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Natter.Sidecar.Tests.Actors.Support;

/// <summary>A real redis-server on a free port with its own data folder, killed on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private RedisServer(Process process, string dir, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        _dir = dir;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    public string HostAndPort => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisServer> StartAsync(CancellationToken ct)
    {
        var port = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("natter-actors-redis-").FullName;
        var process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server",
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
             "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=true,connectTimeout=500");
                return new RedisServer(process, dir, port, connection);
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
