using System.Text.Json;
using Dapr.Client;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Inbox;

/// <summary>Where one entry landed: device and entry number (deliveryId "{clientId}:{n}").</summary>
public readonly record struct InboxSlot(string ClientId, long N);

/// <summary>
/// Appends one item to many device inboxes in ONE state transaction: every head (etag-guarded) and every entry
/// (with the 30-day TTL), plus whatever the caller must commit atomically with it (chat doc, indexes, dedupe record).
/// Two chats writing to the same device race on its head etag; the loser re-reads and retries, so no entry is lost
/// and no number is used twice.
/// </summary>
public sealed class InboxWriter(DaprClient dapr, ILogger<InboxWriter> logger)
{
    // A device that many busy chats write to at once is a hot key. Its writers take turns until the caller's deadline
    // (the actor turn's timeout) rather than for a fixed count: a late message beats a refused one.
    private const int MaxAttempts = int.MaxValue;

    public async Task<IReadOnlyList<InboxSlot>> AppendAsync(
        IReadOnlyList<string> clientIds,
        InboxEntry entry,
        Func<CancellationToken, Task<IReadOnlyList<StateTransactionRequest>>> alsoCommit,
        CancellationToken ct)
    {
        using var activity = ChatTelemetry.Source.StartActivity("inbox.append");
        activity?.SetTag("natter.inbox.devices", clientIds.Count);
        var body = JsonSerializer.SerializeToUtf8Bytes(entry, NatterJson.Options);
        var slots = await NatterState.RetryOnConflictAsync(async () =>
        {
            var heads = await dapr.ReadManyAsync<InboxHead>([.. clientIds.Select(StateKeys.InboxHead)], ct);
            var (operations, slots) = Plan(clientIds, heads, body);
            operations.AddRange(await alsoCommit(ct));
            await dapr.CommitAsync(operations, ct);
            return slots;
        }, logger, ct, MaxAttempts);
        ChatTelemetry.InboxEntriesWritten.Add(slots.Count);
        return slots;
    }

    /// <summary>The transaction for one append, given the heads as read. Pure, so it is unit-tested.</summary>
    internal static (List<StateTransactionRequest> Operations, List<InboxSlot> Slots) Plan(
        IReadOnlyList<string> clientIds, IReadOnlyDictionary<string, (InboxHead? Value, string? ETag)> heads, byte[] body)
    {
        var operations = new List<StateTransactionRequest>(clientIds.Count * 2);
        var slots = new List<InboxSlot>(clientIds.Count);
        foreach (var clientId in clientIds.Distinct(StringComparer.Ordinal))
        {
            var (head, etag) = heads.TryGetValue(StateKeys.InboxHead(clientId), out var h) ? h : (null, null);
            var n = head?.Next ?? 0;
            operations.Add(NatterState.Upsert(StateKeys.InboxHead(clientId), new InboxHead(n + 1), etag));
            operations.Add(NatterState.Upsert(StateKeys.InboxEntry(clientId, n), body, NatterState.RetentionTtl));
            slots.Add(new InboxSlot(clientId, n));
        }
        return (operations, slots);
    }
}
