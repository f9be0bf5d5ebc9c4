using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Natter.Sidecar.Tests.Infrastructure;
using Natter.Sidecar.Tests.State.Backends;

namespace Natter.Sidecar.Tests.State;

public sealed record Profile(string Name, int Age);

/// <summary>
/// The state API's conformance cases, run against every state backend (one subclass per backend, which adds what is
/// specific to its components-contrib original): through the official SDK (gRPC) and daprd's HTTP state API.
/// </summary>
public abstract class StateStoreTests<TBackend>(TBackend backend) : IClassFixture<TBackend>, IAsyncLifetime
    where TBackend : class, IStateBackend
{
    private readonly ResourcesFolder _resources = new();

    protected TBackend Backend { get; } = backend;

    protected string AppId { get; } = $"app{Guid.NewGuid():N}"[..12];

    protected SidecarHost Sidecar { get; private set; } = null!;

    protected DaprClient Dapr { get; private set; } = null!;

    /// <summary>Extra metadata lines for the test's statestore component.</summary>
    protected virtual string? ExtraMetadata => null;

    public async Task InitializeAsync()
    {
        Backend.WriteStateStore(_resources, extraMetadata: ExtraMetadata);
        Sidecar = await SidecarHost.StartAsync(new SidecarSettings(AppId, _resources.Path));
        Dapr = Sidecar.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Dapr.Dispose();
        await Sidecar.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Saved_state_reads_back_with_an_etag()
    {
        await Dapr.SaveStateAsync("statestore", "alice", new Profile("Alice", 30));

        var (value, etag) = await Dapr.GetStateAndETagAsync<Profile>("statestore", "alice");

        Assert.Equal(new Profile("Alice", 30), value);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task Missing_key_reads_as_default_with_empty_etag()
    {
        var (value, etag) = await Dapr.GetStateAndETagAsync<Profile>("statestore", "nobody");

        Assert.Null(value);
        Assert.Equal("", etag);
    }

    [Fact]
    public async Task Every_save_changes_the_etag()
    {
        await Dapr.SaveStateAsync("statestore", "changing", 1);
        var (_, first) = await Dapr.GetStateAndETagAsync<int>("statestore", "changing");
        await Dapr.SaveStateAsync("statestore", "changing", 2);
        var (_, second) = await Dapr.GetStateAndETagAsync<int>("statestore", "changing");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Stale_etag_save_is_rejected_and_current_etag_save_succeeds()
    {
        await Dapr.SaveStateAsync("statestore", "counter", 1);
        var (_, etag) = await Dapr.GetStateAndETagAsync<int>("statestore", "counter");

        Assert.True(await Dapr.TrySaveStateAsync("statestore", "counter", 2, etag));
        Assert.False(await Dapr.TrySaveStateAsync("statestore", "counter", 3, etag));
        Assert.Equal(2, await Dapr.GetStateAsync<int>("statestore", "counter"));
    }

    [Fact]
    public async Task State_saved_with_ttl_expires()
    {
        await Dapr.SaveStateAsync("statestore", "short-lived", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
        Assert.Equal("x", await Dapr.GetStateAsync<string>("statestore", "short-lived"));

        Assert.True(await Eventually.TrueAsync(async () => await Dapr.GetStateAsync<string>("statestore", "short-lived") is null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Bulk_get_returns_values_and_etags_and_empty_items_for_missing_keys()
    {
        await Dapr.SaveStateAsync("statestore", "b1", "one");
        await Dapr.SaveStateAsync("statestore", "b2", "two");
        var (_, etag1) = await Dapr.GetStateAndETagAsync<string>("statestore", "b1");

        var items = await Dapr.GetBulkStateAsync("statestore", ["b1", "b2", "b3"], parallelism: 2);

        var byKey = items.ToDictionary(i => i.Key);
        Assert.Equal("\"one\"", byKey["b1"].Value);
        Assert.Equal("\"two\"", byKey["b2"].Value);
        Assert.Equal(etag1, byKey["b1"].ETag);
        Assert.True(string.IsNullOrEmpty(byKey["b3"].Value));
    }

    [Fact]
    public async Task Bulk_get_leaves_out_expired_values()
    {
        await Dapr.SaveStateAsync("statestore", "bulk-ttl", "soon gone", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
        await Dapr.SaveStateAsync("statestore", "bulk-kept", "kept");

        Assert.True(await Eventually.TrueAsync(async () =>
            (await Dapr.GetBulkStateAsync("statestore", ["bulk-ttl", "bulk-kept"], parallelism: 1)).ToDictionary(i => i.Key) is var items
            && string.IsNullOrEmpty(items["bulk-ttl"].Value) && items["bulk-kept"].Value == "\"kept\"", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_keeps_the_value_and_with_the_current_etag_removes_it()
    {
        await Dapr.SaveStateAsync("statestore", "doomed", "v");
        var (_, etag) = await Dapr.GetStateAndETagAsync<string>("statestore", "doomed");
        await Dapr.SaveStateAsync("statestore", "doomed", "v");
        var (_, current) = await Dapr.GetStateAndETagAsync<string>("statestore", "doomed");

        Assert.False(await Dapr.TryDeleteStateAsync("statestore", "doomed", etag));
        Assert.Equal("v", await Dapr.GetStateAsync<string>("statestore", "doomed"));
        Assert.True(await Dapr.TryDeleteStateAsync("statestore", "doomed", current));
        Assert.Null(await Dapr.GetStateAsync<string>("statestore", "doomed"));
    }

    [Fact]
    public async Task Transaction_applies_upserts_and_deletes_together()
    {
        await Dapr.SaveStateAsync("statestore", "t-old", "old");

        await Dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("t-a", Encoding.UTF8.GetBytes("\"a\""), StateOperationType.Upsert),
            new StateTransactionRequest("t-b", Encoding.UTF8.GetBytes("\"b\""), StateOperationType.Upsert),
            new StateTransactionRequest("t-old", null, StateOperationType.Delete),
        ]);

        Assert.Equal("a", await Dapr.GetStateAsync<string>("statestore", "t-a"));
        Assert.Equal("b", await Dapr.GetStateAsync<string>("statestore", "t-b"));
        Assert.Null(await Dapr.GetStateAsync<string>("statestore", "t-old"));
    }

    [Fact]
    public async Task Transaction_with_one_stale_etag_changes_nothing()
    {
        await Dapr.SaveStateAsync("statestore", "x-1", "before-1");
        await Dapr.SaveStateAsync("statestore", "x-2", "before-2");
        var (_, etag1) = await Dapr.GetStateAndETagAsync<string>("statestore", "x-1");
        var (_, etag2) = await Dapr.GetStateAndETagAsync<string>("statestore", "x-2");
        await Dapr.SaveStateAsync("statestore", "x-2", "changed-2");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("x-1", Encoding.UTF8.GetBytes("\"after-1\""), StateOperationType.Upsert, etag1),
            new StateTransactionRequest("x-3", Encoding.UTF8.GetBytes("\"new\""), StateOperationType.Upsert),
            new StateTransactionRequest("x-2", Encoding.UTF8.GetBytes("\"after-2\""), StateOperationType.Upsert, etag2),
        ]));

        // daprd reports every failed transaction as Internal (ERR_STATE_TRANSACTION), an etag mismatch included.
        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal("before-1", await Dapr.GetStateAsync<string>("statestore", "x-1"));
        Assert.Equal("changed-2", await Dapr.GetStateAsync<string>("statestore", "x-2"));
        Assert.Null(await Dapr.GetStateAsync<string>("statestore", "x-3"));
    }

    [Fact]
    public async Task Unknown_store_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Dapr.GetStateAsync<string>("nostore", "k"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains("nostore", rpc.Status.Detail);
    }

    [Fact]
    public async Task Http_api_saves_gets_with_etag_header_and_rejects_stale_etag_with_409()
    {
        using var http = Sidecar.CreateHttpClient();

        var save = await http.PostAsync("/v1.0/state/statestore",
            new StringContent("""[{"key":"h1","value":{"n":1}}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        var get = await http.GetAsync("/v1.0/state/statestore/h1");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("""{"n":1}""", await get.Content.ReadAsStringAsync());
        var (_, etag) = await Dapr.GetStateAndETagAsync<JsonElement>("statestore", "h1");
        Assert.Equal(etag, get.Headers.ETag?.Tag.Trim('"') ?? get.Headers.GetValues("ETag").Single());

        var stale = await http.PostAsync("/v1.0/state/statestore",
            new StringContent("""[{"key":"h1","value":2,"etag":"7"}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/state/statestore/missing")).StatusCode);
        // The SDK reads what the HTTP API wrote: one storage format for both APIs.
        Assert.Equal(1, (await Dapr.GetStateAsync<JsonElement>("statestore", "h1")).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Http_api_bulk_delete_and_transaction_work()
    {
        using var http = Sidecar.CreateHttpClient();
        var tx = await http.PostAsync("/v1.0/state/statestore/transaction", new StringContent(
            """{"operations":[{"operation":"upsert","request":{"key":"ha","value":"A"}},{"operation":"upsert","request":{"key":"hb","value":"B"}}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, tx.StatusCode);

        var bulk = await http.PostAsync("/v1.0/state/statestore/bulk", new StringContent("""{"keys":["ha","hb","hc"]}""", Encoding.UTF8, "application/json"));
        var (_, etagA) = await Dapr.GetStateAndETagAsync<string>("statestore", "ha");
        var (_, etagB) = await Dapr.GetStateAndETagAsync<string>("statestore", "hb");
        Assert.Equal($$"""[{"key":"ha","data":"A","etag":"{{etagA}}"},{"key":"hb","data":"B","etag":"{{etagB}}"},{"key":"hc"}]""", await bulk.Content.ReadAsStringAsync());

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, "/v1.0/state/statestore/ha");
        staleDelete.Headers.TryAddWithoutValidation("If-Match", "5");
        Assert.Equal(HttpStatusCode.Conflict, (await http.SendAsync(staleDelete)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/v1.0/state/statestore/ha")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/state/statestore/ha")).StatusCode);
    }
}
