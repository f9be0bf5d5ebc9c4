using Dapr.Client;
using Natter.MediaService.Storage;
using Natter.State;

namespace Natter.MediaService.Retention;

/// <summary>The first day the sweep has not finished.</summary>
public sealed record ExpiryCursor(DateOnly Day);

/// <summary>
/// The sweep's index, so it never scans keys: per day (and shard, to keep each value small) the ids of attachments
/// whose expiry falls on that day. An id may linger in an old bucket after its expiry moved; the sweep re-checks the
/// attachment itself, so the index only has to be complete, never exact.
/// </summary>
public sealed class ExpiryIndex(DaprClient dapr)
{
    public const int Shards = 8;

    public async Task AddAsync(string attachmentId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(expiresAt.UtcDateTime);
        await dapr.UpdateAsync<string[]>(BucketKey(day, ShardOf(attachmentId)), ids =>
            ids is not null && ids.Contains(attachmentId)
                ? StateChange<string[]>.Keep
                : StateChange<string[]>.Save([.. ids ?? [], attachmentId]), cancellationToken);
        // The cursor starts at the earliest day anything was filed under, so the first sweep knows where to begin.
        await dapr.UpdateAsync<ExpiryCursor>(MediaStateKeys.ExpiryCursor, cursor =>
            cursor is null || cursor.Day > day ? StateChange<ExpiryCursor>.Save(new ExpiryCursor(day)) : StateChange<ExpiryCursor>.Keep,
            cancellationToken);
    }

    public static string BucketKey(DateOnly day, int shard) => $"{MediaStateKeys.ExpiryBucket(day)}|{shard}";

    private static int ShardOf(string attachmentId) =>
        // Ids are random hex, so their first character spreads them evenly.
        Convert.ToInt32(attachmentId[..1], 16) % Shards;
}
