using Natter.MediaService.Attachments;
using Natter.MediaService.Authentication;
using Natter.MediaService.Retention;
using Natter.MediaService.Storage;

namespace Natter.MediaService;

/// <summary>MediaService's table of contents: Program.cs and the test host compose the service from these two alone.</summary>
public static class MediaServiceApplication
{
    public static WebApplicationBuilder AddMediaService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddMediaAuthentication();
        builder.AddWebClientCors();
        builder.AddNatterClock();
        builder.AddMediaStorage();
        builder.AddAttachments();
        return builder;
    }

    public static WebApplication MapMediaService(this WebApplication app)
    {
        app.UseMediaResponses();
        app.MapDefaultEndpoints();
        app.MapNatterClock();
        app.MapAttachmentEndpoints();
        app.MapCleanupBinding();
        return app;
    }
}
