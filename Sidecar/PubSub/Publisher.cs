using System.Diagnostics;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Telemetry;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// The one publish path behind both APIs: wraps data in a CloudEvent that carries the publisher's trace context,
/// so the delivery span continues the publisher's trace.
/// </summary>
public sealed class Publisher(PubSubRegistry registry, SidecarOptions options)
{
    public async Task PublishAsync(string pubSubName, string topic, ReadOnlyMemory<byte> data, string? contentType,
        IReadOnlyDictionary<string, string> metadata, string? traceParent, string? traceState, CancellationToken ct)
    {
        var pubSub = registry.Get(pubSubName);
        var isRaw = IsRaw(metadata);
        using var activity = StartPublishActivity(pubSubName, topic, traceParent, traceState);
        var envelope = Envelope(new PublishedEvent(pubSubName, topic, data, contentType, TraceParentFor(activity, traceParent), traceState), isRaw);
        await pubSub.PublishAsync(topic, envelope, ct);
        SidecarTelemetry.Published.Add(1, new KeyValuePair<string, object?>("topic", topic));
    }

    public async Task PublishBulkAsync(string pubSubName, string topic, IReadOnlyList<(ReadOnlyMemory<byte> Data, string? ContentType)> entries,
        IReadOnlyDictionary<string, string> metadata, string? traceParent, string? traceState, CancellationToken ct)
    {
        var pubSub = registry.Get(pubSubName);
        var isRaw = IsRaw(metadata);
        using var activity = StartPublishActivity(pubSubName, topic, traceParent, traceState);
        var parent = TraceParentFor(activity, traceParent);
        var envelopes = entries
            .Select(e => (ReadOnlyMemory<byte>)Envelope(new PublishedEvent(pubSubName, topic, e.Data, e.ContentType, parent, traceState), isRaw))
            .ToArray();
        await pubSub.PublishBulkAsync(topic, envelopes, ct);
        SidecarTelemetry.Published.Add(envelopes.Length, new KeyValuePair<string, object?>("topic", topic));
    }

    /// <summary>metadata rawPayload=true publishes the bytes as they are, without an envelope, as daprd does.</summary>
    private static bool IsRaw(IReadOnlyDictionary<string, string> metadata) =>
        RawPayload.TryRead(metadata, out var isRaw, out var problem) ? isRaw : throw new PublishMetadataException(problem);

    private byte[] Envelope(in PublishedEvent e, bool isRaw) =>
        isRaw ? e.Data.ToArray() : CloudEvents.Wrap(e, options.AppId);

    private static Activity? StartPublishActivity(string pubSubName, string topic, string? traceParent, string? traceState)
    {
        var parent = Activity.Current?.Context ?? default;
        if (parent == default && traceParent is not null)
        {
            ActivityContext.TryParse(traceParent, traceState, out parent);
        }
        var activity = SidecarTelemetry.Source.StartActivity($"pubsub/{topic} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "dapr");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("dapr.pubsub", pubSubName);
        return activity;
    }

    /// <summary>The traceparent the event carries: our publish span, else the caller's, else a fresh trace.</summary>
    private static string TraceParentFor(Activity? activity, string? callerTraceParent)
    {
        if (activity is not null)
        {
            return activity.Id!;
        }
        if (!string.IsNullOrEmpty(callerTraceParent))
        {
            return callerTraceParent;
        }
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            return current.Id!;
        }
        return $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }
}
