using Dapr.Client.Autogen.Grpc.v1;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Natter.Sidecar.Components;
using Natter.Sidecar.Grpc;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.PubSub;

namespace Natter.Sidecar.Metadata;

/// <summary>GetMetadata over gRPC (what the SDK's GetMetadataAsync calls): id, components, subscriptions, extended.</summary>
public sealed class MetadataGrpcService(SidecarOptions options, IReadOnlyList<ComponentSpec> components, SubscriptionRegistry subscriptions)
{
    public Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context)
    {
        var response = new GetMetadataResponse { Id = options.AppId, RuntimeVersion = MetadataApi.RuntimeVersion };
        foreach (var c in components)
        {
            var registered = new RegisteredComponents { Name = c.Name, Type = c.Type, Version = c.Version };
            registered.Capabilities.AddRange(MetadataApi.CapabilitiesOf(c));
            response.RegisteredComponents.Add(registered);
        }
        foreach (var s in subscriptions.All)
        {
            var subscription = new PubsubSubscription { PubsubName = s.PubSubName, Topic = s.Topic, DeadLetterTopic = s.DeadLetterTopic ?? "" };
            subscription.Rules = new PubsubSubscriptionRules();
            subscription.Rules.Rules.Add(new PubsubSubscriptionRule { Path = s.Route });
            foreach (var (key, value) in s.Metadata)
            {
                subscription.Metadata[key] = value;
            }
            response.Subscriptions.Add(subscription);
        }
        response.ExtendedMetadata.Add("daprRuntimeVersion", MetadataApi.RuntimeVersion);
        return Task.FromResult(response);
    }
}

public sealed class MetadataGrpcMethods : IServiceMethodProvider<MetadataGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<MetadataGrpcService> context) =>
        context.AddUnaryMethod(DaprGrpcMethods.Unary<GetMetadataRequest, GetMetadataResponse>("GetMetadata"), [], (s, r, c) => s.GetMetadata(r, c));
}
