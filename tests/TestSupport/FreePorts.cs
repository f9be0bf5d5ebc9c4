using System.Net;
using System.Net.Sockets;

namespace Natter.TestSupport;

/// <summary>
/// Free loopback ports for the servers tests start. They come from below the kernel's ephemeral range. A port that
/// bind(0) hands out is free only until an outgoing connection takes it as its source port, and then the server that
/// was meant to listen on it fails with "address already in use" (a clean-clone CI run hit that). Outgoing
/// connections never take a port below the range, so a port found free here stays free unless another test takes it,
/// which the shared counter prevents within a process.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 20000; // above the well-known ports of Redis, Postgres, Dapr and the Aspire dashboard

    private static readonly int Ceiling = EphemeralRangeStart();
    private static int _offset = Random.Shared.Next(Math.Max(Ceiling - Lowest, 1)); // processes start apart

    public static int Next()
    {
        var span = Ceiling - Lowest;
        if (span < 1000)
        {
            return KernelChosen(); // an unusual range leaves no room below it: the kernel's choice is all there is
        }
        for (var tries = 0; tries < span; tries++)
        {
            var port = Lowest + (int)((uint)Interlocked.Increment(ref _offset) % (uint)span);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {Lowest} and {Ceiling}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int KernelChosen()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux); 32768, its usual value, elsewhere.</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
