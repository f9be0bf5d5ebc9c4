using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Security;

/// <summary>
/// DAPR_API_TOKEN, as daprd enforces it: every HTTP API call except the health endpoints and every gRPC API call
/// must carry the token in the dapr-api-token header; otherwise HTTP 401 / gRPC Unauthenticated.
/// </summary>
public static class ApiTokenAuthentication
{
    public const string HeaderName = "dapr-api-token";

    public static bool Matches(string? expected, string? presented) =>
        expected is null || (presented is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented)));

    public static WebApplication UseApiToken(this WebApplication app)
    {
        var token = app.Services.GetRequiredService<SidecarOptions>().ApiToken;
        if (token is null)
        {
            return app;
        }
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            // gRPC calls are checked by ApiTokenInterceptor, so unknown gRPC methods still answer Unimplemented.
            var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
            var isHealth = path.StartsWithSegments("/v1.0/healthz") || path.StartsWithSegments("//v1.0/healthz");
            if (isGrpc || isHealth || Matches(token, context.Request.Headers[HeaderName].ToString()))
            {
                await next(context);
                return;
            }
            await ApiErrors.Error(401, "ERR_UNAUTHORIZED", "invalid api token").ExecuteAsync(context);
        });
        return app;
    }
}

public sealed class ApiTokenInterceptor(SidecarOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (options.ApiToken is null)
        {
            return;
        }
        var presented = context.RequestHeaders.GetValue(ApiTokenAuthentication.HeaderName);
        if (!ApiTokenAuthentication.Matches(options.ApiToken, presented))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
        }
    }
}
