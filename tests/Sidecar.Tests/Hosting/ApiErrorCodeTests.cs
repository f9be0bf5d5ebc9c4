using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using global::Grpc.Core;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Hosting;

/// <summary>
/// The status codes and errorCode values daprd answers on the publish and state routes (pkg/api/errors), which
/// JavaScript (HTTP) and Python (gRPC) clients branch on: plain HTTP, and the SDK for gRPC.
/// </summary>
public sealed class ApiErrorCodeTests
{
    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_is_404_ERR_PUBSUB_NOT_FOUND()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var http = sidecar.CreateHttpClient();

        using var response = await http.PostAsync("/v1.0/publish/nosuch/topic", Json("{}"));

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ERR_PUBSUB_NOT_FOUND", "pubsub nosuch is not found");
    }

    [Fact]
    public async Task Bulk_publishing_to_an_unknown_pubsub_is_404_ERR_PUBSUB_NOT_FOUND()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var http = sidecar.CreateHttpClient();

        using var response = await http.PostAsync("/v1.0-alpha1/publish/bulk/nosuch/topic", Json("""[{"entryId":"1","event":"x","contentType":"text/plain"}]"""));

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ERR_PUBSUB_NOT_FOUND", "pubsub nosuch is not found");
    }

    [Fact]
    public async Task Publishing_to_an_empty_topic_is_404_ERR_TOPIC_NAME_EMPTY()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var http = sidecar.CreateHttpClient();

        using var response = await http.PostAsync("/v1.0/publish/pubsub/", Json("{}"));

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ERR_TOPIC_NAME_EMPTY", "topic is empty in pubsub pubsub");
    }

    [Fact]
    public async Task State_calls_without_any_state_store_are_500_ERR_STATE_STORE_NOT_CONFIGURED()
    {
        using var resources = new ResourcesFolder();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var http = sidecar.CreateHttpClient();

        using var get = await http.GetAsync("/v1.0/state/statestore/k");
        using var save = await http.PostAsync("/v1.0/state/statestore", Json("""[{"key":"k","value":1}]"""));

        await AssertErrorAsync(get, HttpStatusCode.InternalServerError, "ERR_STATE_STORE_NOT_CONFIGURED", "state store statestore is not configured");
        await AssertErrorAsync(save, HttpStatusCode.InternalServerError, "ERR_STATE_STORE_NOT_CONFIGURED", "state store statestore is not configured");
    }

    [Fact]
    public async Task State_calls_to_an_unknown_store_are_400_ERR_STATE_STORE_NOT_FOUND()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var http = sidecar.CreateHttpClient();

        using var response = await http.DeleteAsync("/v1.0/state/nosuch/k");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_STATE_STORE_NOT_FOUND", "state store nosuch is not found");
    }

    [Fact]
    public async Task Grpc_state_and_publish_without_any_such_component_are_failed_precondition()
    {
        using var resources = new ResourcesFolder();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var dapr = sidecar.CreateClient();

        var get = await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<string>("statestore", "k"));
        var publish = await Assert.ThrowsAsync<DaprException>(() => dapr.PublishEventAsync("pubsub", "topic", "x"));

        Assert.Equal(StatusCode.FailedPrecondition, Assert.IsType<RpcException>(get.InnerException).StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, Assert.IsType<RpcException>(publish.InnerException).StatusCode);
    }

    [Fact]
    public async Task Grpc_calls_to_an_unknown_state_store_or_pubsub_are_invalid_argument()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("errapp", resources.Path));
        using var dapr = sidecar.CreateClient();

        var get = await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<string>("nosuch", "k"));
        var publish = await Assert.ThrowsAsync<DaprException>(() => dapr.PublishEventAsync("nosuch", "topic", "x"));

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(get.InnerException).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(publish.InnerException).StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode, string message)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(errorCode, body.RootElement.GetProperty("errorCode").GetString());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }
}
