using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.State;

/// <summary>
/// daprd's --max-body-size (4Mi by default): the gRPC server's receive and send limit and the HTTP API's body limit.
/// An oversized request fails fast with its own code (ResourceExhausted), never as a store or etag error.
/// </summary>
public sealed class RequestSizeLimitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int MiB = 1 << 20;

    private async Task<(SidecarHost Sidecar, ResourcesFolder Resources)> StartAsync(params string[] extraArgs)
    {
        var resources = new ResourcesFolder().WithRedisState(redis.Address);
        var settings = new SidecarSettings($"sz{Guid.NewGuid():N}"[..12], resources.Path) { ExtraArgs = extraArgs };
        return (await SidecarHost.StartAsync(settings), resources);
    }

    // The SDK's channel receives 4 MiB by default; these tests lift that so only the sidecar's limits are measured.
    private static DaprClient LargeMessageClient(SidecarHost sidecar) => new DaprClientBuilder()
        .UseGrpcEndpoint(sidecar.Settings.GrpcEndpoint)
        .UseHttpEndpoint(sidecar.Settings.HttpEndpoint)
        .UseGrpcChannelOptions(new GrpcChannelOptions { MaxReceiveMessageSize = 64 * MiB, MaxSendMessageSize = 64 * MiB })
        .Build();

    private static string Value(int bytes) => new('x', bytes);

    [Fact]
    public async Task Transaction_over_the_default_4_MiB_fails_with_resource_exhausted_and_writes_nothing()
    {
        var (sidecar, resources) = await StartAsync();
        await using var _ = sidecar;
        using var __ = resources;
        using var dapr = sidecar.CreateClient();
        var operations = Enumerable.Range(0, 80)
            .Select(i => new StateTransactionRequest($"big-{i}", JsonSerializer.SerializeToUtf8Bytes(Value(64 * 1024)), StateOperationType.Upsert))
            .ToList();

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.ExecuteStateTransactionAsync("statestore", operations));

        Assert.Equal(StatusCode.ResourceExhausted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Null(await dapr.GetStateAsync<string>("statestore", "big-0"));
    }

    [Fact]
    public async Task Bulk_get_response_over_max_body_size_is_resource_exhausted_as_daprd_limits_what_it_sends()
    {
        var (sidecar, resources) = await StartAsync();
        await using var _ = sidecar;
        using var __ = resources;
        using var dapr = LargeMessageClient(sidecar);
        var keys = Enumerable.Range(0, 3).Select(i => $"large-{i}").ToArray();
        foreach (var key in keys)
        {
            await dapr.SaveStateAsync("statestore", key, Value(2 * MiB)); // each request is under 4 MiB
        }

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.GetBulkStateAsync("statestore", keys, parallelism: null));

        Assert.Equal(StatusCode.ResourceExhausted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Raised_max_body_size_sends_and_receives_messages_above_4_MiB()
    {
        var (sidecar, resources) = await StartAsync("--max-body-size", "16Mi");
        await using var _ = sidecar;
        using var __ = resources;
        using var dapr = LargeMessageClient(sidecar);
        await dapr.SaveStateAsync("statestore", "huge", Value(6 * MiB));
        await dapr.SaveStateAsync("statestore", "huge-2", Value(3 * MiB));

        var items = await dapr.GetBulkStateAsync("statestore", ["huge", "huge-2"], parallelism: null);

        Assert.Equal([6 * MiB + 2, 3 * MiB + 2], items.Select(i => i.Value.Length)); // JSON strings: quotes included
    }

    [Fact]
    public async Task Http_body_over_max_body_size_is_400_err_malformed_request()
    {
        var (sidecar, resources) = await StartAsync("--max-body-size", "1Mi");
        await using var _ = sidecar;
        using var __ = resources;
        using var http = sidecar.CreateHttpClient();
        var body = $$"""[{"key":"too-big","value":"{{Value(2 * MiB)}}"}]""";

        using var response = await http.PostAsync("/v1.0/state/statestore", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ERR_MALFORMED_REQUEST", error.RootElement.GetProperty("errorCode").GetString());
        Assert.False(await redis.Database.KeyExistsAsync($"{sidecar.Settings.AppId}||too-big"));
    }
}
