using System.Net;
using System.Net.Sockets;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>Random free loopback ports: never the well-known Dapr or Redis ports, which other programs may hold.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
