using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Natter.Sidecar.Hosting;

public static class SidecarHostingExtensions
{
    /// <summary>
    /// Parses daprd's flags and opens daprd's two listeners on 127.0.0.1: the HTTP API over HTTP/1.1 and the gRPC
    /// API over HTTP/2 without TLS (h2c), which is what the SDK's http:// gRPC endpoint speaks.
    /// </summary>
    public static WebApplicationBuilder AddSidecarOptions(this WebApplicationBuilder builder, string[] args, SidecarEnvironment? environment = null)
    {
        environment ??= SidecarEnvironment.FromProcess();
        var options = SidecarOptions.Parse(args, environment);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(environment);
        builder.Services.AddSingleton(TimeProvider.System);

        // Aspire sets ASPNETCORE_URLS for every project; the listeners are daprd's ports, not those.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "",
            [WebHostDefaults.HttpPortsKey] = "",
            [WebHostDefaults.HttpsPortsKey] = "",
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // daprd's --max-body-size for the HTTP API; gRPC requests are bounded by the gRPC message limit instead
            // (Grpc.AspNetCore lifts this limit for them).
            kestrel.Limits.MaxRequestBodySize = options.MaxBodySize;
            kestrel.Listen(IPAddress.Loopback, options.DaprHttpPort, l => l.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, options.DaprGrpcPort, l => l.Protocols = HttpProtocols.Http2);
        });

        builder.Logging.SetMinimumLevel(options.LogLevel.ToLowerInvariant() switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" => LogLevel.Critical,
            _ => LogLevel.Information,
        });
        // Per-request framework logs would cost more than the requests themselves.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // Kestrel warns that it overrides ASPNETCORE_URLS, which is exactly what the explicit listeners are for.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        return builder;
    }

    /// <summary>A singleton registered as an instance earlier in start-up (options, components).</summary>
    public static T GetRequiredInstance<T>(this IServiceCollection services) where T : class =>
        services.LastOrDefault(d => d.ServiceType == typeof(T) && d.ImplementationInstance is not null)?.ImplementationInstance as T
        ?? throw new InvalidOperationException($"{typeof(T).Name} must be registered first.");
}
