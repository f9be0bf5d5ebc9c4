using Dapr.Client;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Devices;

/// <summary>Reads the device registries the gateways maintain: who receives a copy of an item.</summary>
public sealed class DeviceDirectory(DaprClient dapr)
{
    /// <summary>Every active client of every given user, in user order.</summary>
    public async Task<IReadOnlyList<string>> ActiveClientsAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var registries = await dapr.ReadManyAsync<DeviceRegistry>([.. userIds.Select(StateKeys.Devices)], ct);
        var clients = new List<string>(userIds.Count * 2);
        foreach (var userId in userIds)
        {
            if (registries.TryGetValue(StateKeys.Devices(userId), out var r) && r.Value is not null)
            {
                clients.AddRange(r.Value.Clients.Select(c => c.ClientId));
            }
        }
        return clients;
    }
}
