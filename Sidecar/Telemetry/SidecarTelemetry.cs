using System.Diagnostics;
using System.Diagnostics.Metrics;
using Natter.Sidecar.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Natter.Sidecar.Telemetry;

/// <summary>The sidecar's spans and metrics: publish and delivery, named like daprd's ("pubsub/..." operations).</summary>
public static class SidecarTelemetry
{
    public const string Name = "Natter.Sidecar";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Published = Meter.CreateCounter<long>("natter.sidecar.pubsub.published", description: "Events published");

    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("natter.sidecar.pubsub.delivered", description: "Deliveries by outcome");

    public static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>(
        "natter.sidecar.pubsub.delivery.duration", unit: "ms", description: "Time the app took to handle a delivery");

    /// <summary>
    /// Exports traces, metrics and logs over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; service name is
    /// "{appId}-dapr" (OTEL_SERVICE_NAME wins), so the dashboard shows the sidecar beside its app.
    /// </summary>
    public static WebApplicationBuilder AddSidecarTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Services.GetRequiredInstance<SidecarOptions>();
        var environment = builder.Services.GetRequiredInstance<SidecarEnvironment>();
        if (string.IsNullOrWhiteSpace(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }
        var serviceName = environment["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : $"{options.AppId}-dapr";
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: options.InstanceId))
            .WithTracing(tracing => tracing
                .AddSource(Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/v1.0/healthz"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }
}
