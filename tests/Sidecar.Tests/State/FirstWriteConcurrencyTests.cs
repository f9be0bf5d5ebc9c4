using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.State;

/// <summary>
/// First-write concurrency and the status codes of failed writes, as components-contrib's state.redis,
/// state.postgresql (v2) and state.in-memory implement them and daprd reports them; driven through the official SDK
/// (gRPC) and the HTTP API.
/// </summary>
public sealed class FirstWriteConcurrencyTests(RedisServer redis, PostgresServer postgres)
    : IClassFixture<RedisServer>, IClassFixture<PostgresServer>, IAsyncLifetime
{
    private const string RedisStore = "redisstore";
    private const string PostgresStore = "postgresstore";
    private const string MemoryStore = "memorystore";
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };
    private static readonly StateOptions LastWrite = new() { Concurrency = ConcurrencyMode.LastWrite };

    private readonly ResourcesFolder _resources = new();
    private readonly string _appId = $"fw{Guid.NewGuid():N}"[..12];
    private SidecarHost _sidecar = null!;
    private DaprClient _dapr = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _resources.WithRedisState(redis.Address, RedisStore).WithPostgresState(postgres.DaprConnectionString, PostgresStore).Write($"{MemoryStore}.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {MemoryStore}
            spec:
              type: state.in-memory
              version: v1
            """);
        _sidecar = await SidecarHost.StartAsync(new SidecarSettings(_appId, _resources.Path));
        _dapr = _sidecar.CreateClient();
        _http = _sidecar.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    private static string Key() => $"k-{Guid.NewGuid():N}";

    private static StatusCode StatusOf(DaprException e) => Assert.IsType<RpcException>(e.InnerException).StatusCode;

    [Theory]
    [InlineData(RedisStore, StatusCode.Internal)] // components-contrib's redis Lua error is no ETagError without an etag
    [InlineData(PostgresStore, StatusCode.Internal)] // v2's "no item was updated" is no ETagError either
    [InlineData(MemoryStore, StatusCode.Aborted)] // in-memory reports ETagMismatch
    public async Task Second_first_write_save_without_etag_is_rejected_and_keeps_the_first_value(string store, StatusCode expected)
    {
        var key = Key();
        await _dapr.SaveStateAsync(store, key, "first", FirstWrite);

        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.SaveStateAsync(store, key, "second", FirstWrite));

        Assert.Equal(expected, StatusOf(error));
        Assert.Equal("first", await _dapr.GetStateAsync<string>(store, key));
    }

    [Theory]
    [InlineData(RedisStore)]
    [InlineData(PostgresStore)]
    [InlineData(MemoryStore)]
    public async Task Of_concurrent_first_write_saves_of_an_absent_key_exactly_one_wins(string store)
    {
        var key = Key();
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await _dapr.SaveStateAsync(store, key, $"writer-{i}", FirstWrite);
                return $"writer-{i}";
            }
            catch (DaprException)
            {
                return null;
            }
        });

        var winners = (await Task.WhenAll(attempts)).OfType<string>().ToList();

        Assert.Equal(await _dapr.GetStateAsync<string>(store, key), Assert.Single(winners));
    }

    [Theory]
    [InlineData(RedisStore)]
    [InlineData(PostgresStore)]
    [InlineData(MemoryStore)]
    public async Task First_write_with_the_current_etag_succeeds_and_with_a_stale_one_is_an_etag_mismatch(string store)
    {
        var key = Key();
        await _dapr.SaveStateAsync(store, key, "v1", FirstWrite);
        var (_, etag) = await _dapr.GetStateAndETagAsync<string>(store, key);

        Assert.True(await _dapr.TrySaveStateAsync(store, key, "v2", etag, FirstWrite));
        Assert.False(await _dapr.TrySaveStateAsync(store, key, "v3", etag, FirstWrite)); // Aborted
        Assert.Equal("v2", await _dapr.GetStateAsync<string>(store, key));
    }

    [Fact]
    public async Task Redis_first_write_guards_only_keys_marked_by_a_first_write_save()
    {
        // components-contrib marks a key with a "first-write" hash field; a key written without it stays last-write.
        var unmarked = Key();
        await _dapr.SaveStateAsync(RedisStore, unmarked, "plain");
        await _dapr.SaveStateAsync(RedisStore, unmarked, "overwritten", FirstWrite);
        Assert.Equal("overwritten", await _dapr.GetStateAsync<string>(RedisStore, unmarked));

        // Once marked, every save without an etag is refused, a last-write one included; an etag save still works.
        var marked = Key();
        await _dapr.SaveStateAsync(RedisStore, marked, "v1", FirstWrite);
        Assert.True(await redis.Database.HashExistsAsync($"{_appId}||{marked}", "first-write"));
        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.SaveStateAsync(RedisStore, marked, "v2", LastWrite));
        Assert.Equal(StatusCode.Internal, StatusOf(error));
        var (_, etag) = await _dapr.GetStateAndETagAsync<string>(RedisStore, marked);
        Assert.True(await _dapr.TrySaveStateAsync(RedisStore, marked, "v3", etag));
        Assert.Equal("v3", await _dapr.GetStateAsync<string>(RedisStore, marked));
    }

    [Fact]
    public async Task Redis_rejects_a_non_numeric_etag_as_invalid_argument()
    {
        var key = Key();
        await _dapr.SaveStateAsync(RedisStore, key, "v1");

        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.TrySaveStateAsync(RedisStore, key, "v2", "not-a-number"));

        Assert.Equal(StatusCode.InvalidArgument, StatusOf(error));
    }

    [Theory]
    [InlineData(RedisStore)]
    [InlineData(PostgresStore)]
    [InlineData(MemoryStore)]
    public async Task Transaction_with_a_stale_etag_fails_with_internal_as_daprd_reports_every_transaction_failure(string store)
    {
        var key = Key();
        await _dapr.SaveStateAsync(store, key, "v1");
        var (_, etag) = await _dapr.GetStateAndETagAsync<string>(store, key);
        await _dapr.SaveStateAsync(store, key, "v2");

        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.ExecuteStateTransactionAsync(store,
            [new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes("v3"), StateOperationType.Upsert, etag)]));

        Assert.Equal(StatusCode.Internal, StatusOf(error));
        Assert.Equal("v2", await _dapr.GetStateAsync<string>(store, key));
    }

    [Theory]
    [InlineData(RedisStore)]
    [InlineData(PostgresStore)]
    [InlineData(MemoryStore)]
    public async Task Transaction_first_write_upsert_of_a_key_marked_by_first_write_changes_nothing(string store)
    {
        var existing = Key();
        var fresh = Key();
        await _dapr.SaveStateAsync(store, existing, "v1", FirstWrite);

        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.ExecuteStateTransactionAsync(store,
        [
            new StateTransactionRequest(fresh, JsonSerializer.SerializeToUtf8Bytes("new"), StateOperationType.Upsert, options: FirstWrite),
            new StateTransactionRequest(existing, JsonSerializer.SerializeToUtf8Bytes("v2"), StateOperationType.Upsert, options: FirstWrite),
        ]));

        Assert.Equal(StatusCode.Internal, StatusOf(error));
        Assert.Equal("v1", await _dapr.GetStateAsync<string>(store, existing));
        Assert.Null(await _dapr.GetStateAsync<string>(store, fresh));
    }

    [Theory]
    [InlineData(MemoryStore)]
    [InlineData(PostgresStore)] // no first-write mark: any live row counts as existing
    public async Task Transaction_first_write_upsert_refuses_any_existing_key_outside_redis(string store)
    {
        var key = Key();
        await _dapr.SaveStateAsync(store, key, "plain");

        await Assert.ThrowsAsync<DaprException>(() => _dapr.ExecuteStateTransactionAsync(store,
            [new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes("v2"), StateOperationType.Upsert, options: FirstWrite)]));

        Assert.Equal("plain", await _dapr.GetStateAsync<string>(store, key));
    }

    [Fact]
    public async Task Postgres_first_write_save_of_a_key_saved_without_it_is_refused_unlike_redis()
    {
        var key = Key();
        await _dapr.SaveStateAsync(PostgresStore, key, "plain");

        var error = await Assert.ThrowsAsync<DaprException>(() => _dapr.SaveStateAsync(PostgresStore, key, "second", FirstWrite));

        Assert.Equal(StatusCode.Internal, StatusOf(error));
        Assert.Equal("plain", await _dapr.GetStateAsync<string>(PostgresStore, key));
    }

    [Theory]
    [InlineData(RedisStore, HttpStatusCode.InternalServerError)]
    [InlineData(PostgresStore, HttpStatusCode.InternalServerError)]
    [InlineData(MemoryStore, HttpStatusCode.Conflict)]
    public async Task Http_first_write_save_of_an_existing_key_is_refused_with_err_state_save(string store, HttpStatusCode expected)
    {
        var key = Key();
        var body = $$$"""[{"key":"{{{key}}}","value":"v1","options":{"concurrency":"first-write"}}]""";
        using var first = await _http.PostAsync($"/v1.0/state/{store}", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);

        using var second = await _http.PostAsync($"/v1.0/state/{store}", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, second.StatusCode);
        using var error = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal("ERR_STATE_SAVE", error.RootElement.GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData(RedisStore)]
    [InlineData(PostgresStore)]
    [InlineData(MemoryStore)]
    public async Task Http_transaction_with_a_stale_etag_is_500_err_state_transaction(string store)
    {
        var key = Key();
        await _dapr.SaveStateAsync(store, key, "v1");
        var (_, etag) = await _dapr.GetStateAndETagAsync<string>(store, key);
        await _dapr.SaveStateAsync(store, key, "v2");
        var body = $$$"""{"operations":[{"operation":"upsert","request":{"key":"{{{key}}}","value":"v3","etag":"{{{etag}}}"}}]}""";

        using var response = await _http.PostAsync($"/v1.0/state/{store}/transaction", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ERR_STATE_TRANSACTION", error.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Http_delete_with_a_stale_etag_is_409_err_state_delete()
    {
        var key = Key();
        await _dapr.SaveStateAsync(RedisStore, key, "v1");
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1.0/state/{RedisStore}/{key}");
        request.Headers.TryAddWithoutValidation("If-Match", "999");

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ERR_STATE_DELETE", error.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Malformed_json_body_is_400_err_malformed_request()
    {
        using var response = await _http.PostAsync($"/v1.0/state/{RedisStore}", new StringContent("[{\"key\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ERR_MALFORMED_REQUEST", error.RootElement.GetProperty("errorCode").GetString());
    }
}
