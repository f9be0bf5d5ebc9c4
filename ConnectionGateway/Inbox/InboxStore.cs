using Dapr.Client;
using Natter.Contracts;
using Natter.State;

namespace Natter.ConnectionGateway.Inbox;

/// <summary>The gateway's side of a device inbox: read ranges, delete acked entries, move the tail.</summary>
public sealed class InboxStore(DaprClient dapr)
{
    public const int PageSize = 500;

    public async Task<(long Tail, long Head)> BoundsAsync(string clientId, CancellationToken ct)
    {
        var (tail, _) = await dapr.ReadAsync<InboxTail>(StateKeys.InboxTail(clientId), ct);
        var (head, _) = await dapr.ReadAsync<InboxHead>(StateKeys.InboxHead(clientId), ct);
        return (tail?.Lowest ?? 0, head?.Next ?? 0);
    }

    public async Task<long> HeadAsync(string clientId, CancellationToken ct)
    {
        var (head, _) = await dapr.ReadAsync<InboxHead>(StateKeys.InboxHead(clientId), ct);
        return head?.Next ?? 0;
    }

    /// <summary>Entries [from, to) in order; a null entry was acked or expired.</summary>
    public async Task<IReadOnlyList<(long N, InboxEntry? Entry)>> ReadAsync(string clientId, long from, long to, CancellationToken ct)
    {
        var keys = new List<string>((int)(to - from));
        for (var n = from; n < to; n++)
        {
            keys.Add(StateKeys.InboxEntry(clientId, n));
        }
        var entries = await dapr.ReadManyAsync<InboxEntry>(keys, ct);
        return [.. Enumerable.Range(0, keys.Count).Select(i => (from + i, entries[keys[i]].Value))];
    }

    /// <summary>Acknowledged entries, deleted in one transaction.</summary>
    public Task DeleteManyAsync(string clientId, IReadOnlyList<long> ns, CancellationToken ct) =>
        dapr.CommitAsync([.. ns.Select(n => NatterState.Delete(StateKeys.InboxEntry(clientId, n)))], ct);

    /// <summary>Best effort: a lower tail only costs a longer drain, never a lost entry.</summary>
    public Task AdvanceTailAsync(string clientId, long lowest, CancellationToken ct) =>
        dapr.SaveStateAsync(StateKeys.StoreName, StateKeys.InboxTail(clientId), new InboxTail(lowest), cancellationToken: ct);
}
