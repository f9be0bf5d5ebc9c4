using Natter.EndToEnd.Tests.Messaging;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// Redis holds every inbox: when it is full it must refuse writes (the send fails and says so) rather than evict
/// pending items, and it must write an append-only file with the configured fsync policy.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class RedisPolicyTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Redis_refuses_writes_when_full_instead_of_evicting_inboxes()
    {
        await using var redis = await _harness.ConnectRedisAsync();
        var server = _harness.RedisServer(redis);

        var config = (await server.ConfigGetAsync("*")).ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal("noeviction", config["maxmemory-policy"]);
        Assert.Equal((1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), config["maxmemory"]);
        Assert.Equal("yes", config["appendonly"]);
        Assert.Equal("everysec", config["appendfsync"]);
    }
}
