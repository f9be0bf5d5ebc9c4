using System.Collections.Concurrent;

namespace Natter.ConnectionGateway.Connections;

/// <summary>The sockets this instance holds, by client id. One socket per client: a newer one replaces the older.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ClientConnection> _byClient = new(StringComparer.Ordinal);

    public void Add(ClientConnection connection)
    {
        ClientConnection? previous = null;
        _byClient.AddOrUpdate(connection.Identity.ClientId, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        previous?.RequestClose(Contracts.CloseCodes.Replaced, "the same client connected again");
    }

    public void Remove(ClientConnection connection) =>
        _byClient.TryRemove(new KeyValuePair<string, ClientConnection>(connection.Identity.ClientId, connection));

    public bool TryGet(string clientId, out ClientConnection connection) => _byClient.TryGetValue(clientId, out connection!);

    public void CloseIfConnected(string clientId, string reason)
    {
        if (_byClient.TryGetValue(clientId, out var connection))
        {
            connection.RequestClose(Contracts.CloseCodes.ClientDeactivated, reason);
        }
    }

    public int Count => _byClient.Count;
}
