using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The routes a sidecar calls on its app (pub/sub discovery and delivery, actors, input bindings) serve on the same
/// port as the client-facing ones, so each is guarded by the Dapr SDK's APP_API_TOKEN scheme: the sidecar sends the
/// token as the dapr-api-token header (daprd and our local sidecar alike), and anyone else gets 401.
/// </summary>
public static class SidecarAuthentication
{
    /// <summary>The policy name DaprAuthorizationOptionsExtensions.AddDapr registers by default.</summary>
    public const string Policy = "Dapr";

    /// <summary>The variable daprd reads too: the AppHost gives both the app and its sidecar the same value.</summary>
    public const string AppApiTokenSetting = "APP_API_TOKEN";

    public static TBuilder AddSidecarAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Read through configuration (environment variables included) so an in-process test host can set it too.
        // Without a token the scheme fails closed: every sidecar route answers 401.
        var token = builder.Configuration[AppApiTokenSetting] ?? "";
        builder.Services.AddAuthentication().AddDapr(options => options.Token = token);
        builder.Services.AddAuthorization(options => options.AddDapr(Policy));
        return builder;
    }

    /// <summary>Only the app's own sidecar may call these endpoints.</summary>
    public static TEndpoints RequireSidecar<TEndpoints>(this TEndpoints endpoints) where TEndpoints : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(Policy);
}
