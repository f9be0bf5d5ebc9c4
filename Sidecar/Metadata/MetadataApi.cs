using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.PubSub;

namespace Natter.Sidecar.Metadata;

/// <summary>GET /v1.0/metadata with daprd's field names: id, runtimeVersion, components, subscriptions, actors, extended.</summary>
public static class MetadataApi
{
    public const string RuntimeVersion = "natter-sidecar-1.0";

    public static WebApplication MapMetadataApi(this WebApplication app)
    {
        app.MapGet("/v1.0/metadata", (
            SidecarOptions options,
            IReadOnlyList<ComponentSpec> components,
            SubscriptionRegistry subscriptions,
            IEnumerable<IMetadataContributor> contributors) =>
        {
            var document = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = options.AppId,
                ["runtimeVersion"] = RuntimeVersion,
                ["enabledFeatures"] = Array.Empty<string>(),
                ["components"] = components.Select(c => new Dictionary<string, object?>
                {
                    ["name"] = c.Name,
                    ["type"] = c.Type,
                    ["version"] = c.Version,
                    ["capabilities"] = CapabilitiesOf(c),
                }).ToArray(),
                // daprd's HTTP shape (pkg/api/http/metadata.go): rules is a flat array, metadata omitted when empty.
                ["subscriptions"] = subscriptions.All.Select(s =>
                {
                    var subscription = new Dictionary<string, object?>
                    {
                        ["pubsubname"] = s.PubSubName,
                        ["topic"] = s.Topic,
                        ["rules"] = new[] { new Dictionary<string, object?> { ["path"] = s.Route } },
                        ["deadLetterTopic"] = s.DeadLetterTopic ?? "",
                        ["type"] = "PROGRAMMATIC",
                    };
                    if (s.Metadata.Count > 0)
                    {
                        subscription["metadata"] = s.Metadata;
                    }
                    return subscription;
                }).ToArray(),
                ["actors"] = Array.Empty<object>(),
                ["extended"] = new Dictionary<string, object?> { ["appCommand"] = "", ["daprRuntimeVersion"] = RuntimeVersion },
                ["appConnectionProperties"] = new Dictionary<string, object?>
                {
                    ["port"] = options.AppPort,
                    ["protocol"] = options.AppProtocol,
                    ["channelAddress"] = options.AppHost,
                },
            };
            foreach (var contributor in contributors)
            {
                contributor.Contribute(document);
            }
            return Results.Json(document);
        });
        return app;
    }

    public static string[] CapabilitiesOf(ComponentSpec component) => component.Type switch
    {
        ComponentTypes.StateRedis or ComponentTypes.StateInMemory or ComponentTypes.StatePostgres => component.GetBool("actorStateStore")
            ? ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"]
            : ["ETAG", "TRANSACTIONAL", "TTL"],
        _ => [],
    };
}
