using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Natter.MediaService.Authentication;

/// <summary>Marks an endpoint an &lt;img src&gt; or &lt;video src&gt; fetches: a browser cannot send a header there.</summary>
public sealed class AcceptsQueryToken
{
    public static readonly AcceptsQueryToken Instance = new();

    private AcceptsQueryToken()
    {
    }
}

/// <summary>
/// The shared Natter JWT authentication, narrowed for MediaService: a token in the query string (?access_token=) is
/// read only on endpoints marked <see cref="AcceptsQueryToken"/>, because a URL leaks (history, logs, Referer) and an
/// uploaded page opened by URL must not be able to reuse one elsewhere. A missing token is a JSON 401, like every error.
/// </summary>
public static class MediaAuthentication
{
    public static WebApplicationBuilder AddMediaAuthentication(this WebApplicationBuilder builder)
    {
        builder.AddNatterAuthentication();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var readQueryToken = options.Events.OnMessageReceived;
            options.Events.OnMessageReceived = context =>
                context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AcceptsQueryToken>() is not null
                    ? readQueryToken(context)
                    : Task.CompletedTask;
            options.Events.OnChallenge = async context =>
            {
                context.HandleResponse();
                await MediaError.Unauthorized().ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    public static RouteHandlerBuilder AcceptQueryToken(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(AcceptsQueryToken.Instance);
}
