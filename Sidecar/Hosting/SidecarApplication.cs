using Natter.Sidecar.Actors;
using Natter.Sidecar.AppChannel;
using Natter.Sidecar.Bindings;
using Natter.Sidecar.Components;
using Natter.Sidecar.Grpc;
using Natter.Sidecar.Health;
using Natter.Sidecar.Metadata;
using Natter.Sidecar.PubSub;
using Natter.Sidecar.Security;
using Natter.Sidecar.State;
using Natter.Sidecar.Telemetry;

namespace Natter.Sidecar.Hosting;

/// <summary>
/// The sidecar's table of contents. Program.cs runs it; tests build the very same application in-process
/// (with their own environment), so there is one list of building blocks to keep.
/// </summary>
public static class SidecarApplication
{
    public static WebApplication Build(string[] args, SidecarEnvironment? environment = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "Natter.Sidecar" });
        builder.AddSidecarOptions(args, environment);
        builder.AddComponents();
        builder.AddAppChannel();
        builder.AddStateStores();
        builder.AddActors();
        builder.AddPubSub();
        builder.AddBindings();
        builder.AddGrpcApi();
        builder.AddSidecarTelemetry();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestBodyErrors();
        app.UseApiToken();
        app.MapHealthApi();
        app.MapStateApi();
        app.MapActorsApi();
        app.MapPublishApi();
        app.MapBindingsApi();
        app.MapGrpcDaprApi();
        app.MapMetadataApi();
        return app;
    }
}
