using Natter.Sidecar.Tests.State.Backends;

namespace Natter.Sidecar.Tests.State;

/// <summary>The state conformance cases on state.redis, plus its layout (components-contrib's state/redis).</summary>
public sealed class RedisStateTests(RedisStateBackend backend) : StateStoreTests<RedisStateBackend>(backend)
{
    private StackExchange.Redis.IDatabase Redis => Backend.Server.Database;

    [Fact]
    public async Task Keys_are_stored_as_app_id_prefixed_hashes_with_data_and_version()
    {
        await Dapr.SaveStateAsync("statestore", "k1", "v1");
        await Dapr.SaveStateAsync("statestore", "k1", "v2");

        var hash = (await Redis.HashGetAllAsync($"{AppId}||k1")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

        Assert.Equal("\"v2\"", hash["data"]);
        Assert.Equal("2", hash["version"]);
        Assert.False(await Redis.KeyExistsAsync("k1"));
    }

    [Fact]
    public async Task Save_with_an_etag_on_a_missing_key_creates_it_as_components_contrib_redis_does()
    {
        // components-contrib's setDefaultQuery lets any write through to an absent key, etag or not
        // (state.in-memory and state.postgresql refuse it). Create-only needs first-write concurrency instead.
        Assert.True(await Dapr.TrySaveStateAsync("statestore", "never-written", 1, "1"));
        Assert.Equal(1, await Dapr.GetStateAsync<int>("statestore", "never-written"));
    }

    [Fact]
    public async Task Ttl_is_a_redis_expire()
    {
        await Dapr.SaveStateAsync("statestore", "short-lived", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });

        Assert.True(await Redis.KeyTimeToLiveAsync($"{AppId}||short-lived") is { } ttl && ttl <= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Save_without_ttl_clears_an_earlier_ttl()
    {
        await Dapr.SaveStateAsync("statestore", "kept", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "100" });
        await Dapr.SaveStateAsync("statestore", "kept", "y");

        Assert.Null(await Redis.KeyTimeToLiveAsync($"{AppId}||kept"));
    }
}
