using System.Net;
using System.Net.Sockets;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>
/// The ports every test server listens on. A clean-clone CI run failed a sidecar test with "address already in use":
/// the port bind(0) had handed out was taken, before Kestrel bound it, as the source port of an outgoing connection.
/// </summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Ports_come_from_below_the_ephemeral_range_so_no_outgoing_connection_can_take_them()
    {
        var start = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0],
            System.Globalization.CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 200).Select(_ => FreePorts.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 1024, start - 1));
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void A_port_someone_already_listens_on_is_never_handed_out()
    {
        var first = FreePorts.Next();
        using var holder = new TcpListener(IPAddress.Loopback, first + 1);
        holder.Start();

        Assert.DoesNotContain(first + 1, Enumerable.Range(0, 3).Select(_ => FreePorts.Next()));
    }
}
