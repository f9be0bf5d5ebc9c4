using Natter.MediaService.Downloads;
using Natter.MediaService.Retention;
using Natter.MediaService.Thumbnails;
using Natter.MediaService.Uploads;

namespace Natter.MediaService.Attachments;

public static class AttachmentsExtensions
{
    public static WebApplicationBuilder AddAttachments(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(MediaOptions.Section);
        builder.Services.Configure<MediaOptions>(section);
        var options = section.Get<MediaOptions>() ?? new MediaOptions();
        // Kestrel's default body limit (30 MB) is below ours; uploads are streamed, so the limit bounds time, not memory.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes);

        builder.Services.AddSingleton<AttachmentCatalog>();
        builder.Services.AddSingleton<ReadAccess>();
        builder.AddActorProxies();
        builder.Services.AddSingleton<IChatMembership, ChatActorMembership>();
        builder.Services.AddSingleton<BlobRegistry>();
        builder.Services.AddSingleton<ContentStager>();
        builder.Services.AddSingleton<UploadPipeline>();
        builder.Services.AddSingleton<ResumableUploads>();
        builder.Services.AddSingleton<UploadUrlSigner>();
        builder.Services.AddSingleton<ThumbnailMaker>();
        builder.Services.AddSingleton<ExpiryIndex>();
        builder.Services.AddSingleton<RetentionSweep>();
        return builder;
    }

    public static WebApplication MapAttachmentEndpoints(this WebApplication app)
    {
        app.MapAttachmentApi();
        app.MapUploads();
        app.MapDownloads();
        return app;
    }
}
