using Microsoft.Extensions.Time.Testing;
using Natter.ConnectionGateway.Live;

namespace Natter.ConnectionGateway.Tests.Live;

public sealed class ChatMembersCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private int _loads;

    private Func<CancellationToken, Task<IReadOnlyList<string>?>> Load(params string[] members) => _ =>
    {
        Interlocked.Increment(ref _loads);
        return Task.FromResult<IReadOnlyList<string>?>(members);
    };

    [Fact]
    public async Task A_list_is_reused_until_it_is_max_age_old_then_asked_for_again()
    {
        using var cache = new ChatMembersCache(_time);

        Assert.Equal(["alice", "bob"], await cache.GetAsync("chat", Load("alice", "bob"), default));
        _time.Advance(ChatMembersCache.MaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(["alice", "bob"], await cache.GetAsync("chat", Load("alice"), default));
        Assert.Equal(1, _loads);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["alice"], await cache.GetAsync("chat", Load("alice"), default)); // bob's removal is seen now
        Assert.Equal(2, _loads);
    }

    [Fact]
    public async Task A_refusal_is_not_cached()
    {
        using var cache = new ChatMembersCache(_time);
        Func<CancellationToken, Task<IReadOnlyList<string>?>> refused = _ =>
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult<IReadOnlyList<string>?>(null);
        };

        Assert.Null(await cache.GetAsync("chat", refused, default));
        Assert.Equal(["alice"], await cache.GetAsync("chat", Load("alice"), default));
        Assert.Equal(2, _loads);
    }

    [Fact]
    public async Task The_cache_never_holds_more_chats_than_its_capacity()
    {
        using var cache = new ChatMembersCache(_time, capacity: 3);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(["alice"], await cache.GetAsync($"chat-{i}", Load("alice"), default));
            Assert.InRange(cache.Count, 0, 3);
        }
        Assert.Equal(20, _loads);
    }
}
