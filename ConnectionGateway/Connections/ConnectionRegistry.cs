using System.Collections.Concurrent;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

/// <summary>The sockets this instance holds, by device. One socket per device: a newer one replaces the older.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<DeviceAddress, ClientConnection> _byDevice = new();

    public void Add(ClientConnection connection)
    {
        ClientConnection? previous = null;
        _byDevice.AddOrUpdate(connection.Device, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        previous?.RequestClose(Contracts.CloseCodes.Replaced, "the same client connected again");
    }

    public void Remove(ClientConnection connection) =>
        _byDevice.TryRemove(new KeyValuePair<DeviceAddress, ClientConnection>(connection.Device, connection));

    public bool TryGet(DeviceAddress device, out ClientConnection connection) => _byDevice.TryGetValue(device, out connection!);

    public void CloseIfConnected(DeviceAddress device, string reason)
    {
        if (_byDevice.TryGetValue(device, out var connection))
        {
            connection.RequestClose(Contracts.CloseCodes.ClientDeactivated, reason);
        }
    }

    public void CloseAll(int code, string reason)
    {
        foreach (var connection in _byDevice.Values)
        {
            connection.RequestClose(code, reason);
        }
    }

    public IReadOnlyList<ClientConnection> Snapshot() => [.. _byDevice.Values];

    public int Count => _byDevice.Count;
}
