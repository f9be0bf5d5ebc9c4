using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Natter.Sidecar.Grpc;

namespace Natter.Sidecar.PubSub;

/// <summary>PublishEvent and BulkPublishEvent(Alpha1) of dapr.proto.runtime.v1.Dapr.</summary>
public sealed class PublishGrpcService(Publisher publisher, PubSubRegistry registry)
{
    private static readonly Empty EmptyReply = new();

    public async Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        EnsureKnown(request.PubsubName);
        try
        {
            await publisher.PublishAsync(request.PubsubName, request.Topic, request.Data.Memory, request.DataContentType, request.Metadata,
                context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"), context.CancellationToken);
        }
        catch (PublishMetadataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        return EmptyReply;
    }

    public async Task<BulkPublishResponse> BulkPublishEvent(BulkPublishRequest request, ServerCallContext context)
    {
        EnsureKnown(request.PubsubName);
        var entries = request.Entries.Select(e => (e.Event.Memory, (string?)e.ContentType)).ToArray();
        try
        {
            await publisher.PublishBulkAsync(request.PubsubName, request.Topic, entries, request.Metadata,
                context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"), context.CancellationToken);
        }
        catch (PublishMetadataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        // All or nothing: a failed publish throws, so there are never partially failed entries to report.
        return new BulkPublishResponse();
    }

    private void EnsureKnown(string pubsubName)
    {
        if (!registry.All.Any())
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"pubsub {pubsubName} is not configured"));
        }
        if (!registry.TryGet(pubsubName, out _))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {pubsubName} is not found"));
        }
    }
}

public sealed class PublishGrpcMethods : IServiceMethodProvider<PublishGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<PublishGrpcService> context)
    {
        context.AddUnaryMethod(DaprGrpcMethods.Unary<PublishEventRequest, Empty>("PublishEvent"), [], (s, r, c) => s.PublishEvent(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEventAlpha1"), [], (s, r, c) => s.BulkPublishEvent(r, c));
        context.AddUnaryMethod(DaprGrpcMethods.Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEvent"), [], (s, r, c) => s.BulkPublishEvent(r, c));
    }
}
