using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.State;

/// <summary>
/// Request metadata as query parameters (metadata.{key}), which is how the JavaScript and Python SDKs send
/// ttlInSeconds. daprd merges the query into every item's metadata, the query winning on a clash
/// (pkg/api/http: onPostState, onPostStateTransaction). Plain HTTP, as a client in another language would call.
/// </summary>
public sealed class StateQueryMetadataTests : IAsyncLifetime
{
    private readonly ResourcesFolder _resources = new ResourcesFolder().WithInMemory();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private SidecarHost _sidecar = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await SidecarHost.StartAsync(new SidecarSettings("stateapp", _resources.Path),
            builder => builder.Services.AddSingleton<TimeProvider>(_time));
        _http = _sidecar.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Ttl_in_the_query_string_of_a_save_expires_the_key()
    {
        using var saved = await PostJsonAsync("/v1.0/state/statestore?metadata.ttlInSeconds=2", """[{"key":"q","value":"x"}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("\"x\"", await GetAsync("q"));

        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Null(await GetAsync("q"));
    }

    [Fact]
    public async Task Query_ttl_applies_to_every_item_and_overrides_item_metadata_as_daprd_merges_it()
    {
        using var saved = await PostJsonAsync("/v1.0/state/statestore?metadata.ttlInSeconds=2",
            """[{"key":"a","value":1},{"key":"b","value":2,"metadata":{"ttlInSeconds":"100"}}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Null(await GetAsync("a"));
        Assert.Null(await GetAsync("b"));
    }

    [Fact]
    public async Task Item_ttl_still_applies_when_the_query_has_none()
    {
        using var saved = await PostJsonAsync("/v1.0/state/statestore?metadata.other=1",
            """[{"key":"i","value":1,"metadata":{"ttlInSeconds":"2"}},{"key":"j","value":2}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Null(await GetAsync("i"));
        Assert.Equal("2", await GetAsync("j"));
    }

    [Fact]
    public async Task Ttl_in_the_query_string_of_a_transaction_expires_its_upserts()
    {
        using var done = await PostJsonAsync("/v1.0/state/statestore/transaction?metadata.ttlInSeconds=2",
            """{"operations":[{"operation":"upsert","request":{"key":"t1","value":"v"}},{"operation":"upsert","request":{"key":"t2","value":"w"}}]}""");
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("\"v\"", await GetAsync("t1"));

        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Null(await GetAsync("t1"));
        Assert.Null(await GetAsync("t2"));
    }

    [Fact]
    public async Task A_malformed_query_ttl_is_refused_with_a_clear_error()
    {
        using var saved = await PostJsonAsync("/v1.0/state/statestore?metadata.ttlInSeconds=soon", """[{"key":"m","value":1}]""");

        Assert.Equal(HttpStatusCode.BadRequest, saved.StatusCode);
        using var error = JsonDocument.Parse(await saved.Content.ReadAsStringAsync());
        Assert.Equal("ERR_MALFORMED_REQUEST", error.RootElement.GetProperty("errorCode").GetString());
        Assert.Contains("ttlInSeconds", error.RootElement.GetProperty("message").GetString());
        Assert.Null(await GetAsync("m"));
    }

    [Fact]
    public async Task Get_delete_and_bulk_get_accept_query_metadata()
    {
        using var saved = await PostJsonAsync("/v1.0/state/statestore", """[{"key":"g","value":"x"}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        using var got = await _http.GetAsync("/v1.0/state/statestore/g?metadata.partitionKey=p1");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        using var bulk = await PostJsonAsync("/v1.0/state/statestore/bulk?metadata.partitionKey=p1", """{"keys":["g"]}""");
        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        using var deleted = await _http.DeleteAsync("/v1.0/state/statestore/g?metadata.partitionKey=p1");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        Assert.Null(await GetAsync("g"));
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>The stored JSON text, or null on daprd's 204 for a missing key.</summary>
    private async Task<string?> GetAsync(string key)
    {
        using var response = await _http.GetAsync($"/v1.0/state/statestore/{key}");
        return response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadAsStringAsync();
    }
}
