using System.Net;
using Dapr;
using Grpc.Core;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Security;

/// <summary>DAPR_API_TOKEN enforced like daprd: HTTP 401 / gRPC Unauthenticated, health endpoints exempt.</summary>
public sealed class ApiTokenTests : IAsyncLifetime
{
    private const string Token = "test-only-api-token"; // a development value for this test, not a secret
    private readonly ResourcesFolder _resources = new();
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _resources.WithInMemory();
        _sidecar = await SidecarHost.StartAsync(new SidecarSettings("secured", _resources.Path).WithEnvironment("DAPR_API_TOKEN", Token));
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Grpc_call_with_a_wrong_token_is_unauthenticated()
    {
        using var dapr = _sidecar.CreateClient("wrong-token");

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.SaveStateAsync("statestore", "k", "v"));

        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Grpc_call_without_a_token_is_unauthenticated()
    {
        using var dapr = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<string>("statestore", "k"));

        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Grpc_call_with_the_token_succeeds()
    {
        using var dapr = _sidecar.CreateClient(Token);

        await dapr.SaveStateAsync("statestore", "k", "v");

        Assert.Equal("v", await dapr.GetStateAsync<string>("statestore", "k"));
    }

    [Fact]
    public async Task Http_call_with_a_wrong_or_missing_token_gets_401_and_with_the_token_succeeds()
    {
        using var wrong = _sidecar.CreateHttpClient("wrong-token");
        using var none = _sidecar.CreateHttpClient();
        using var right = _sidecar.CreateHttpClient(Token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1.0/metadata")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/v1.0/state/statestore/k")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync("/v1.0/metadata")).StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_need_no_token()
    {
        using var none = _sidecar.CreateHttpClient();

        Assert.Equal(HttpStatusCode.NoContent, (await none.GetAsync("/v1.0/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await none.GetAsync("/v1.0/healthz/outbound")).StatusCode);
    }
}
