using Google.Protobuf;
using Grpc.Core;

namespace Natter.Sidecar.Grpc;

/// <summary>
/// Hand-built method descriptors for dapr.proto.runtime.v1.Dapr: Dapr.Protos ships the message types and client
/// stubs but no server base class, so handlers are registered through IServiceMethodProvider with these.
/// </summary>
public static class DaprGrpcMethods
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(MethodType.Unary, ServiceName, name, MarshallerFor<TRequest>(), MarshallerFor<TResponse>());

    private static Marshaller<T> MarshallerFor<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(
            (message, context) =>
            {
                // Writing into the transport's buffer avoids an intermediate byte[] per message.
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
    }
}
