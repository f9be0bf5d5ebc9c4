using Microsoft.Extensions.Caching.Memory;

namespace Natter.ConnectionGateway.Live;

/// <summary>
/// Chat member lists, as the chat's actor last answered them, for live signals: a typist sends a start every few
/// seconds, and each would otherwise cost an actor turn. A list is trusted for <see cref="MaxAge"/>: for that long
/// after a removal, the removed user can still send typing to the chat and still see its members' typing (live-only
/// signals, never messages). Bounded: past <see cref="DefaultCapacity"/> chats, new lists are not cached until the
/// cache compacts, so an attacker cycling chat ids costs only actor turns, never gateway memory.
/// </summary>
public sealed class ChatMembersCache(TimeProvider time, int capacity = ChatMembersCache.DefaultCapacity) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    public const int DefaultCapacity = 10_000; // about 1 MB of member lists of 100 users

    // MemoryCache bounds and evicts; freshness is decided on the injected clock, so it can be tested.
    private readonly MemoryCache _lists = new(new MemoryCacheOptions { SizeLimit = capacity });

    public int Count => _lists.Count;

    /// <summary>The chat's members from the cache, or from <paramref name="load"/> (null: the caller may not know them; not cached).</summary>
    public async Task<IReadOnlyList<string>?> GetAsync(
        string chatId, Func<CancellationToken, Task<IReadOnlyList<string>?>> load, CancellationToken ct)
    {
        if (_lists.TryGetValue(chatId, out Cached? cached) && time.GetElapsedTime(cached!.LoadedAt) < MaxAge)
        {
            return cached.Members;
        }
        var members = await load(ct);
        if (members is not null)
        {
            _lists.Set(chatId, new Cached(members, time.GetTimestamp()),
                new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = MaxAge });
        }
        return members;
    }

    public void Dispose() => _lists.Dispose();

    private sealed record Cached(IReadOnlyList<string> Members, long LoadedAt);
}
