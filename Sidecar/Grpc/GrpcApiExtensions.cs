using Grpc.AspNetCore.Server.Model;
using Natter.Sidecar.Hosting;
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
        var maxBodySize = builder.Services.GetRequiredInstance<Hosting.SidecarOptions>().MaxBodySize;
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ApiTokenInterceptor>();
            // daprd's grpc.MaxRecvMsgSize and MaxSendMsgSize, both --max-body-size (4Mi by default): a larger request
            // fails fast with ResourceExhausted instead of reaching the store, and a response as large as daprd's
            // (a bulk get of large values) is sent. The SDK's own channel receives 4 MiB unless told otherwise.
            grpc.MaxReceiveMessageSize = maxBodySize;
            grpc.MaxSendMessageSize = maxBodySize;
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
        app.MapGrpcService<Bindings.BindingsGrpcService>();
        return app;
    }
}
