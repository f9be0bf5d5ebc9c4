namespace Natter.Sidecar.Actors.Api;

/// <summary>
/// The SDK's actor client joins "http://host:port/" and "/v1.0/actors/..." into "//v1.0/actors/...", which routing
/// would not match. A startup filter runs this before the implicit routing middleware of WebApplication.
/// </summary>
public sealed class DoubleSlashPaths : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            var path = context.Request.Path.Value;
            if (path is { Length: > 1 } && path[1] == '/' && path[0] == '/')
            {
                context.Request.Path = new PathString("/" + path.TrimStart('/'));
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}
