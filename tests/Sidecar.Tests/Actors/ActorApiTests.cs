using System.Net;
using System.Text;
using Dapr.Actors;
using Dapr.Actors.Client;
using Natter.Sidecar.Tests.Actors.Support;
using Natter.Sidecar.Tests.Infrastructure;

using static Natter.Sidecar.Tests.Actors.Support.RedisForActors;

namespace Natter.Sidecar.Tests.Actors;

/// <summary>The actor HTTP API as raw requests, for what the typed proxy does not show.</summary>
[Collection(ActorCollection.Name)]
public sealed class ActorApiTests
{
    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Double_slash_actor_paths_are_routed()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        using var http = new HttpClient();

        var response = await http.GetAsync($"{node.SidecarUrl}//v1.0/actors/{ActorNode.ActorType}/nobody/state/count", ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task State_transaction_upserts_and_deletes_together_and_reads_back_raw_json()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        using var http = new HttpClient { BaseAddress = new Uri($"{node.SidecarUrl}/v1.0/actors/{ActorNode.ActorType}/raw/") };
        await http.PutAsync("state", new StringContent("""[{"operation":"upsert","request":{"key":"gone","value":1}}]"""), ct);

        var put = await http.PutAsync("state", new StringContent(
            """[{"operation":"upsert","request":{"key":"profile","value":{"name":"Ada","tags":["x"]}}},{"operation":"delete","request":{"key":"gone"}}]"""), ct);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("""{"name":"Ada","tags":["x"]}""", await http.GetStringAsync("state/profile", ct));
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("state/gone", ct)).StatusCode);
    }

    [Fact]
    public async Task Non_remoting_json_call_reaches_the_actor()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        await node.Counter("json").IncrementAsync();
        var proxy = ActorProxy.Create(new ActorId("json"), ActorNode.ActorType, new ActorProxyOptions { HttpEndpoint = node.SidecarUrl });

        var count = await proxy.InvokeMethodAsync<int>(nameof(ICounterActor.IncrementAsync), ct);

        Assert.Equal(2, count);
    }

    [Fact]
    public async Task Peer_endpoint_refuses_calls_without_the_api_token_and_forwarded_calls_carry_it()
    {
        var ct = Timeout(90);
        await using var redis = await StartRedisAsync();
        var options = new NodeOptions { ApiToken = "test-only-token" };
        var monitor = new TurnMonitor();
        await using var a = await ActorNode.StartAsync("a", redis, monitor, options, ct);
        await using var b = await ActorNode.StartAsync("b", redis, monitor, options, ct);
        await a.WaitForHostsAsync(2, ct);
        await b.WaitForHostsAsync(2, ct);
        var id = Enumerable.Range(0, 100).Select(i => $"guarded-{i}").First(b.Owns);
        using var http = new HttpClient();

        var anonymous = await http.PutAsync($"{b.SidecarUrl}/internal/actors/{ActorNode.ActorType}/{id}/method/GetCountAsync",
            new ByteArrayContent([]), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(1, await a.Counter(id).IncrementAsync());
        Assert.Equal("b", await a.Counter(id).WhereAsync());
    }

    [Fact]
    public async Task Metadata_lists_hosted_actor_types_with_their_active_counts()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        await node.Counter("m1").IncrementAsync();
        await node.Counter("m2").IncrementAsync();
        using var http = new HttpClient();

        using var metadata = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{node.SidecarUrl}/v1.0/metadata", ct));

        var actor = Assert.Single(metadata.RootElement.GetProperty("actors").EnumerateArray());
        Assert.Equal(ActorNode.ActorType, actor.GetProperty("type").GetString());
        Assert.Equal(2, actor.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Invalid_reminder_schedule_is_rejected_with_400()
    {
        var ct = Timeout();
        await using var redis = await StartRedisAsync();
        await using var node = await ActorNode.StartAsync("a", redis, new TurnMonitor(), new NodeOptions(), ct);
        using var http = new HttpClient();

        var response = await http.PutAsync($"{node.SidecarUrl}/v1.0/actors/{ActorNode.ActorType}/x/reminders/bad",
            new StringContent("""{"dueTime":"whenever","period":"","data":null}""", Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ERR_ACTOR_REMINDER_CREATE", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
