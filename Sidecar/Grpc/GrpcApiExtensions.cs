using Grpc.AspNetCore.Server.Model;
using Natter.Sidecar.Security;
using Natter.Sidecar.State;

namespace Natter.Sidecar.Grpc;

public static class GrpcApiExtensions
{
    /// <summary>
    /// The gRPC API. Server reflection is deliberately not registered: the SDK's bulk publish probes it first and
    /// falls back to BulkPublishEventAlpha1 on Unimplemented, which an unknown method answers at once.
    /// </summary>
    public static WebApplicationBuilder AddGrpcApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ApiTokenInterceptor>();
            grpc.MaxReceiveMessageSize = 16 * 1024 * 1024; // daprd's default max request body size is 4 MB; leave headroom
        });
        builder.Services.AddSingleton<ApiTokenInterceptor>();
        builder.Services.AddSingleton<StateGrpcService>();
        builder.Services.AddSingleton<IServiceMethodProvider<StateGrpcService>, StateGrpcMethods>();
        builder.Services.AddSingleton<Metadata.MetadataGrpcService>();
        builder.Services.AddSingleton<IServiceMethodProvider<Metadata.MetadataGrpcService>, Metadata.MetadataGrpcMethods>();
        return builder;
    }

    public static WebApplication MapGrpcDaprApi(this WebApplication app)
    {
        app.MapGrpcService<StateGrpcService>();
        app.MapGrpcService<PubSub.PublishGrpcService>();
        app.MapGrpcService<Metadata.MetadataGrpcService>();
        return app;
    }
}
