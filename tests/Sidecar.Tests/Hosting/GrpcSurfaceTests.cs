using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Hosting;

public sealed class GrpcSurfaceTests
{
    // Unknown methods (and server reflection, which the SDK's bulk publish probes) are answered by the framework, not left hanging.
    [Fact]
    public async Task Unimplemented_dapr_methods_answer_unimplemented()
    {
        using var resources = new ResourcesFolder().WithInMemory();
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings("surface", resources.Path));
        using var channel = GrpcChannel.ForAddress(sidecar.Settings.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetSecretAsync(new GetSecretRequest { StoreName = "s", Key = "k" }).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }
}
