using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The browser client (WebClient/) is served from its own origin and calls a gateway's /dev/token and MediaService's
/// upload routes from there, which browsers allow only with CORS. Allowed are exactly the origins in
/// Cors:AllowedOrigins (the AppHost passes the web client's); with none configured, no cross-origin call is allowed.
/// WebSockets need no CORS, and images load without it.
/// </summary>
public static class WebClientCors
{
    public const string AllowedOriginsSetting = "Cors:AllowedOrigins";

    /// <summary>Headers of the resumable upload protocol (docs/MEDIA.md) that the page sends and reads.</summary>
    private static readonly string[] UploadHeaders = ["Upload-Offset", "Upload-Length", "Upload-Sha256"];

    public static TBuilder AddWebClientCors<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var origins = builder.Configuration.GetSection(AllowedOriginsSetting).Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins)
                    .WithMethods("GET", "HEAD", "POST", "PUT", "PATCH")
                    .WithHeaders(["Content-Type", "Authorization", .. UploadHeaders])
                    .WithExposedHeaders(UploadHeaders);
            }
        }));
        return builder;
    }

    /// <summary>Ahead of authentication, so that a preflight is answered before any token is asked for.</summary>
    public static WebApplication UseWebClientCors(this WebApplication app)
    {
        app.UseCors();
        return app;
    }
}
