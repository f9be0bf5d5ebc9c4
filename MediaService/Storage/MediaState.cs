using Dapr.Client;

namespace Natter.MediaService.Storage;

/// <summary>What an etag-guarded update decides after reading the current value.</summary>
public readonly record struct StateChange<T>(StateChangeKind Kind, T? Value)
{
    public static StateChange<T> Keep => new(StateChangeKind.Keep, default);
    public static StateChange<T> Delete => new(StateChangeKind.Delete, default);
    public static StateChange<T> Save(T value) => new(StateChangeKind.Save, value);
}

public enum StateChangeKind { Keep, Save, Delete }

/// <summary>
/// MediaService's metadata in the Dapr state store "statestore". Every change is an etag-guarded read-modify-write,
/// retried on conflict, so concurrent uploads, references and sweeps (one per sidecar) cannot lose each other's updates.
/// </summary>
public sealed class MediaState(DaprClient dapr)
{
    public const string StoreName = "statestore";
    private const int MaxAttempts = 25;

    public async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class
    {
        var (value, _) = await dapr.GetStateAndETagAsync<T?>(StoreName, key, cancellationToken: cancellationToken);
        return value;
    }

    public Task<(T? Value, string ETag)> GetWithETagAsync<T>(string key, CancellationToken cancellationToken) where T : class =>
        dapr.GetStateAndETagAsync<T?>(StoreName, key, cancellationToken: cancellationToken);

    /// <summary>
    /// Writes when the key still has <paramref name="etag"/>. A missing key has etag "": the write is then unconditional,
    /// because the state API has no create-if-absent; callers that create keys re-check afterwards where it matters.
    /// </summary>
    public async Task<bool> TrySaveAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(etag))
        {
            await dapr.SaveStateAsync(StoreName, key, value, cancellationToken: cancellationToken);
            return true;
        }
        return await dapr.TrySaveStateAsync(StoreName, key, value, etag, cancellationToken: cancellationToken);
    }

    public async Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(etag))
        {
            return true;
        }
        return await dapr.TryDeleteStateAsync(StoreName, key, etag, cancellationToken: cancellationToken);
    }

    /// <summary>Reads, decides and writes under the read etag; on conflict reads again. Returns the value now stored.</summary>
    public async Task<T?> UpdateAsync<T>(string key, Func<T?, StateChange<T>> decide, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await GetWithETagAsync<T>(key, cancellationToken);
            var change = decide(current);
            var written = change.Kind switch
            {
                StateChangeKind.Keep => true,
                StateChangeKind.Save => await TrySaveAsync(key, change.Value!, etag, cancellationToken),
                StateChangeKind.Delete => await TryDeleteAsync(key, etag, cancellationToken),
                _ => throw new InvalidOperationException($"Unknown change {change.Kind}"),
            };
            if (written)
            {
                return change.Kind switch
                {
                    StateChangeKind.Keep => current,
                    StateChangeKind.Save => change.Value,
                    _ => null,
                };
            }
            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException($"State key '{key}' kept changing under {MaxAttempts} attempts.");
            }
            // Conflicting writers: back off a little, with jitter, so they do not collide again in lockstep.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
        }
    }
}

/// <summary>State keys; the "media|" prefix keeps them apart from other apps sharing the store.</summary>
public static class StateKeys
{
    public static string Attachment(string id) => $"media|attachment|{id}";
    public static string Blob(string sha256) => $"media|blob|{sha256}";
    public static string ExpiryBucket(DateOnly day) => $"media|expiry|{day:yyyy-MM-dd}";
    public const string ExpiryCursor = "media|expiry-cursor";
}
