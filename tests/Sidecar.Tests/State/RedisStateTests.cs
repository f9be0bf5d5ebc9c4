using System.Net;
using System.Text;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.State;

public sealed record Profile(string Name, int Age);

/// <summary>state.redis through the official SDK (gRPC) and daprd's HTTP state API, against a real redis-server.</summary>
public sealed class RedisStateTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly ResourcesFolder _resources = new();
    private readonly string _appId = $"app{Guid.NewGuid():N}"[..12];
    private SidecarHost _sidecar = null!;
    private DaprClient _dapr = null!;

    public async Task InitializeAsync()
    {
        _resources.WithRedisState(redis.Address);
        _sidecar = await SidecarHost.StartAsync(new SidecarSettings(_appId, _resources.Path));
        _dapr = _sidecar.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Saved_state_reads_back_with_an_etag()
    {
        await _dapr.SaveStateAsync("statestore", "alice", new Profile("Alice", 30));

        var (value, etag) = await _dapr.GetStateAndETagAsync<Profile>("statestore", "alice");

        Assert.Equal(new Profile("Alice", 30), value);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task Missing_key_reads_as_default_with_empty_etag()
    {
        var (value, etag) = await _dapr.GetStateAndETagAsync<Profile>("statestore", "nobody");

        Assert.Null(value);
        Assert.Equal("", etag);
    }

    [Fact]
    public async Task Keys_are_stored_as_app_id_prefixed_hashes_with_data_and_version()
    {
        await _dapr.SaveStateAsync("statestore", "k1", "v1");
        await _dapr.SaveStateAsync("statestore", "k1", "v2");

        var hash = (await redis.Database.HashGetAllAsync($"{_appId}||k1")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

        Assert.Equal("\"v2\"", hash["data"]);
        Assert.Equal("2", hash["version"]);
        Assert.False(await redis.Database.KeyExistsAsync("k1"));
    }

    [Fact]
    public async Task Stale_etag_save_is_rejected_and_current_etag_save_succeeds()
    {
        await _dapr.SaveStateAsync("statestore", "counter", 1);
        var (_, etag) = await _dapr.GetStateAndETagAsync<int>("statestore", "counter");

        Assert.True(await _dapr.TrySaveStateAsync("statestore", "counter", 2, etag));
        Assert.False(await _dapr.TrySaveStateAsync("statestore", "counter", 3, etag));
        Assert.Equal(2, await _dapr.GetStateAsync<int>("statestore", "counter"));
    }

    [Fact]
    public async Task Save_with_an_etag_on_a_missing_key_creates_it_as_components_contrib_redis_does()
    {
        // components-contrib's setDefaultQuery lets any write through to an absent key, etag or not
        // (state.in-memory refuses it). Create-only needs first-write concurrency instead.
        Assert.True(await _dapr.TrySaveStateAsync("statestore", "never-written", 1, "1"));
        Assert.Equal(1, await _dapr.GetStateAsync<int>("statestore", "never-written"));
    }

    [Fact]
    public async Task State_saved_with_ttl_expires()
    {
        await _dapr.SaveStateAsync("statestore", "short-lived", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
        Assert.Equal("x", await _dapr.GetStateAsync<string>("statestore", "short-lived"));
        Assert.True(await redis.Database.KeyTimeToLiveAsync($"{_appId}||short-lived") is { } ttl && ttl <= TimeSpan.FromSeconds(1));

        Assert.True(await Eventually.TrueAsync(async () => await _dapr.GetStateAsync<string>("statestore", "short-lived") is null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Save_without_ttl_clears_an_earlier_ttl()
    {
        await _dapr.SaveStateAsync("statestore", "kept", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "100" });
        await _dapr.SaveStateAsync("statestore", "kept", "y");

        Assert.Null(await redis.Database.KeyTimeToLiveAsync($"{_appId}||kept"));
    }

    [Fact]
    public async Task Bulk_get_returns_values_and_etags_and_empty_items_for_missing_keys()
    {
        await _dapr.SaveStateAsync("statestore", "b1", "one");
        await _dapr.SaveStateAsync("statestore", "b2", "two");

        var items = await _dapr.GetBulkStateAsync("statestore", ["b1", "b2", "b3"], parallelism: 2);

        var byKey = items.ToDictionary(i => i.Key);
        Assert.Equal("\"one\"", byKey["b1"].Value);
        Assert.Equal("\"two\"", byKey["b2"].Value);
        Assert.Equal("1", byKey["b1"].ETag);
        Assert.True(string.IsNullOrEmpty(byKey["b3"].Value));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_keeps_the_value_and_with_the_current_etag_removes_it()
    {
        await _dapr.SaveStateAsync("statestore", "doomed", "v");
        var (_, etag) = await _dapr.GetStateAndETagAsync<string>("statestore", "doomed");

        Assert.False(await _dapr.TryDeleteStateAsync("statestore", "doomed", "999"));
        Assert.Equal("v", await _dapr.GetStateAsync<string>("statestore", "doomed"));
        Assert.True(await _dapr.TryDeleteStateAsync("statestore", "doomed", etag));
        Assert.Null(await _dapr.GetStateAsync<string>("statestore", "doomed"));
    }

    [Fact]
    public async Task Transaction_applies_upserts_and_deletes_together()
    {
        await _dapr.SaveStateAsync("statestore", "t-old", "old");

        await _dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("t-a", Encoding.UTF8.GetBytes("\"a\""), StateOperationType.Upsert),
            new StateTransactionRequest("t-b", Encoding.UTF8.GetBytes("\"b\""), StateOperationType.Upsert),
            new StateTransactionRequest("t-old", null, StateOperationType.Delete),
        ]);

        Assert.Equal("a", await _dapr.GetStateAsync<string>("statestore", "t-a"));
        Assert.Equal("b", await _dapr.GetStateAsync<string>("statestore", "t-b"));
        Assert.Null(await _dapr.GetStateAsync<string>("statestore", "t-old"));
    }

    [Fact]
    public async Task Transaction_with_one_stale_etag_changes_nothing()
    {
        await _dapr.SaveStateAsync("statestore", "x-1", "before-1");
        await _dapr.SaveStateAsync("statestore", "x-2", "before-2");
        var (_, etag1) = await _dapr.GetStateAndETagAsync<string>("statestore", "x-1");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("x-1", Encoding.UTF8.GetBytes("\"after-1\""), StateOperationType.Upsert, etag1),
            new StateTransactionRequest("x-2", Encoding.UTF8.GetBytes("\"after-2\""), StateOperationType.Upsert, "stale"),
            new StateTransactionRequest("x-3", Encoding.UTF8.GetBytes("\"new\""), StateOperationType.Upsert),
        ]));

        // daprd reports every failed transaction as Internal (ERR_STATE_TRANSACTION), an etag mismatch included.
        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal("before-1", await _dapr.GetStateAsync<string>("statestore", "x-1"));
        Assert.Equal("before-2", await _dapr.GetStateAsync<string>("statestore", "x-2"));
        Assert.Null(await _dapr.GetStateAsync<string>("statestore", "x-3"));
    }

    [Fact]
    public async Task Unknown_store_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.GetStateAsync<string>("nostore", "k"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains("nostore", rpc.Status.Detail);
    }

    [Fact]
    public async Task Http_api_saves_gets_with_etag_header_and_rejects_stale_etag_with_409()
    {
        using var http = _sidecar.CreateHttpClient();

        var save = await http.PostAsync("/v1.0/state/statestore",
            new StringContent("""[{"key":"h1","value":{"n":1}}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        var get = await http.GetAsync("/v1.0/state/statestore/h1");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("""{"n":1}""", await get.Content.ReadAsStringAsync());
        Assert.Equal("1", get.Headers.ETag?.Tag.Trim('"') ?? get.Headers.GetValues("ETag").Single());

        var stale = await http.PostAsync("/v1.0/state/statestore",
            new StringContent("""[{"key":"h1","value":2,"etag":"7"}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/state/statestore/missing")).StatusCode);
        // The SDK reads what the HTTP API wrote: one storage format for both APIs.
        Assert.Equal(1, (await _dapr.GetStateAsync<System.Text.Json.JsonElement>("statestore", "h1")).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Http_api_bulk_delete_and_transaction_work()
    {
        using var http = _sidecar.CreateHttpClient();
        var tx = await http.PostAsync("/v1.0/state/statestore/transaction", new StringContent(
            """{"operations":[{"operation":"upsert","request":{"key":"ha","value":"A"}},{"operation":"upsert","request":{"key":"hb","value":"B"}}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, tx.StatusCode);

        var bulk = await http.PostAsync("/v1.0/state/statestore/bulk", new StringContent("""{"keys":["ha","hb","hc"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal("""[{"key":"ha","data":"A","etag":"1"},{"key":"hb","data":"B","etag":"1"},{"key":"hc"}]""", await bulk.Content.ReadAsStringAsync());

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, "/v1.0/state/statestore/ha");
        staleDelete.Headers.TryAddWithoutValidation("If-Match", "5");
        Assert.Equal(HttpStatusCode.Conflict, (await http.SendAsync(staleDelete)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/v1.0/state/statestore/ha")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/state/statestore/ha")).StatusCode);
    }
}
