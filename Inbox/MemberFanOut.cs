using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Logging;
using Natter.Contracts;
using Natter.State;

namespace Natter.Inbox;

/// <summary>
/// What a fan-out append wrote: a slot per recipient device (the first entry's, when several were appended: entry i of
/// a device sits at its slot's N + i), and the push tokens of those that have one. Registered is every active device of
/// the users as their registries said, the sending device included: the next append to any of them can read their
/// heads in its first read. EntryBytes is each entry's stored (serialised) size, for whoever sizes messages carrying them.
/// Sockets is where the recipients the caller expected held a socket, as the same read (before the commit) found them:
/// a recipient missing from it had none then, or was not expected, and whoever routes deliveries must look again.
/// </summary>
public sealed record FanOutAppend(
    IReadOnlyList<InboxSlot> Slots, IReadOnlyDictionary<DeviceAddress, string> PushTokens, IReadOnlyList<DeviceAddress> Registered,
    IReadOnlyList<int> EntryBytes, IReadOnlyDictionary<DeviceAddress, Presence> Sockets);

/// <summary>
/// Appends one item to every active device of some users, in ONE bulk read and ONE transaction in the common case:
/// the users' registries, the heads and presence leases of the devices the caller expects them to have (<c>likely</c>,
/// the last fan-out's devices), and the caller's own keys (a fenced document, a dedupe record) are read together. The registries
/// read decide the recipients; a device the caller did not expect costs a second read for its head, never a missed copy.
/// The heads are etag-guarded in the transaction, so a read that went stale conflicts and the whole attempt runs again.
/// </summary>
public sealed class MemberFanOut(DaprClient dapr, StateRounds rounds, DeviceInbox inbox, ILogger<MemberFanOut> logger)
{
    // As DeviceInbox: a hot device's writers take turns until the caller's deadline rather than for a fixed count.
    private const int AppendAttempts = int.MaxValue;

    /// <summary>The read the caller's operations are built from: every key it asked for, missing ones as (null, null).</summary>
    public delegate Task<IReadOnlyList<StateTransactionRequest>?> AlsoCommit(
        IReadOnlyDictionary<string, (string? Json, string? ETag)> read, CancellationToken ct);

    /// <param name="except">A device that gets no copy (the sending device), or null.</param>
    /// <param name="alsoCommit">
    /// The caller's operations for the same transaction, built from its keys as read in this attempt; null abandons the
    /// append (nothing is written, and the result is null), for a caller that finds in the read that it is a repeat.
    /// </param>
    public Task<FanOutAppend?> AppendAsync(
        IReadOnlyCollection<string> users, DeviceAddress? except, IReadOnlyCollection<DeviceAddress> likely, InboxEntry entry,
        IReadOnlyList<string> alsoRead, AlsoCommit alsoCommit, CancellationToken ct) =>
        AppendAsync(users, except, likely, [entry], alsoRead, alsoCommit, ct);

    /// <summary>
    /// As the single-entry append, for several entries in order: each device gets them at consecutive numbers, in the
    /// same one read and one transaction (a batch of receipts for one sender costs what one receipt does).
    /// </summary>
    public async Task<FanOutAppend?> AppendAsync(
        IReadOnlyCollection<string> users, DeviceAddress? except, IReadOnlyCollection<DeviceAddress> likely,
        IReadOnlyList<InboxEntry> entries, IReadOnlyList<string> alsoRead, AlsoCommit alsoCommit, CancellationToken ct)
    {
        var bodies = entries.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, NatterJson.Options)).ToList();
        var bytes = bodies.Sum(b => (long)b.Length);
        var registryKeys = users.Select(InboxKeys.Devices).Distinct(StringComparer.Ordinal).ToList();
        return await NatterState.RetryOnConflictAsync(async () =>
        {
            // The read and the commit go in rounds with other turns' (StateRounds): under load, one sidecar call each.
            var read = await rounds.ReadManyRawAsync(
                [.. registryKeys, .. likely.Select(InboxKeys.Head), .. likely.Select(InboxKeys.Presence), .. alsoRead], ct);
            var fanOut = FanOutDevices.From(users, read);
            var recipients = fanOut.Devices.Where(d => d != except).Distinct().ToList();
            if (bytes * recipients.Count > DeviceInbox.MaxAppendBytes)
            {
                // Refused before anything is written: a transaction over the limit fails on every attempt.
                throw new AppendTooLargeException((int)Math.Min(bytes, int.MaxValue), recipients.Count);
            }
            await ReadMissingHeadsAsync(recipients, read, ct);
            var heads = recipients.ToDictionary(InboxKeys.Head, d =>
            {
                var (json, etag) = read[InboxKeys.Head(d)];
                return (NatterState.Parse<InboxHead>(json), etag);
            });
            if (await alsoCommit(read, ct) is not { } also)
            {
                return null;
            }
            var (operations, slots) = DeviceInbox.PlanAppend(recipients, heads, bodies);
            operations.AddRange(also);
            await rounds.CommitAsync(operations, ct);
            return new FanOutAppend(slots, recipients.Where(fanOut.PushTokens.ContainsKey).ToDictionary(d => d, d => fanOut.PushTokens[d]), fanOut.Devices,
                [.. bodies.Select(b => b.Length)], PresenceRegistry.Found(recipients, read));
        }, logger, ct, AppendAttempts);
    }

    /// <summary>
    /// Reads the heads the first read did not cover (an unexpected device), and creates absent ones create-only outside
    /// the transaction (state.redis has no create-only inside one), so every head in the transaction is etag-guarded.
    /// </summary>
    private async Task ReadMissingHeadsAsync(
        IReadOnlyList<DeviceAddress> recipients, Dictionary<string, (string? Json, string? ETag)> read, CancellationToken ct)
    {
        var unread = recipients.Where(d => !read.ContainsKey(InboxKeys.Head(d))).Select(InboxKeys.Head).ToList();
        if (unread.Count > 0)
        {
            foreach (var (key, value) in await dapr.ReadManyRawAsync(unread, ct))
            {
                read[key] = value;
            }
        }
        var headless = recipients.Where(d => read[InboxKeys.Head(d)].ETag is null).ToList();
        if (headless.Count > 0)
        {
            await Task.WhenAll(headless.Select(d => inbox.EnsureHeadAsync(d, ct)));
            foreach (var (key, value) in await dapr.ReadManyRawAsync([.. headless.Select(InboxKeys.Head)], ct))
            {
                read[key] = value;
            }
        }
    }
}
