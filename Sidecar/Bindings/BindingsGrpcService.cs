using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Natter.Sidecar.Grpc;

namespace Natter.Sidecar.Bindings;

/// <summary>
/// InvokeBinding of dapr.proto.runtime.v1.Dapr: the data passes through as bytes, and any failure is Internal with
/// daprd's message "error invoking output binding {name}: {error}".
/// </summary>
public sealed class BindingsGrpcService(OutputBindings bindings)
{
    public async Task<InvokeBindingResponse> InvokeBinding(InvokeBindingRequest request, ServerCallContext context)
    {
        var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal);
        foreach (var trace in new[] { "traceparent", "tracestate" })
        {
            if (!metadata.ContainsKey(trace) && context.RequestHeaders.GetValue(trace) is { Length: > 0 } value)
            {
                metadata[trace] = value;
            }
        }
        var result = await bindings.InvokeAsync(request.Name, request.Data.Memory, metadata, request.Operation, context.CancellationToken);
        if (result.Error is { } error)
        {
            throw new RpcException(new Status(StatusCode.Internal, OutputBindings.ErrorMessage(request.Name, error)));
        }
        var response = new InvokeBindingResponse { Data = ByteString.CopyFrom(result.Data) };
        foreach (var (key, value) in result.Metadata)
        {
            response.Metadata[key] = value;
        }
        return response;
    }
}

public sealed class BindingsGrpcMethods : IServiceMethodProvider<BindingsGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<BindingsGrpcService> context) =>
        context.AddUnaryMethod(DaprGrpcMethods.Unary<InvokeBindingRequest, InvokeBindingResponse>("InvokeBinding"), [], (s, r, c) => s.InvokeBinding(r, c));
}
