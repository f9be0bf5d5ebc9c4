namespace Natter.AppHost;

public static class MediaExtensions
{
    /// <summary>
    /// The shared key with which the gateways and chat services act for users at MediaService (docs/MEDIA.md).
    /// Generated per machine and kept in user secrets, like the signing key.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddMediaInternalKey(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter("media-internal-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

    /// <summary>MediaService accepts the service key from the services that present it.</summary>
    public static IResourceBuilder<ProjectResource> WithMediaInternalKey(
        this IResourceBuilder<ProjectResource> media, IResourceBuilder<ParameterResource> internalKey) =>
        media.WithEnvironment("Media__InternalKey", internalKey);

    /// <summary>A service that calls MediaService: where it listens, and the key to present.</summary>
    public static IResourceBuilder<ProjectResource> WithMediaClient(
        this IResourceBuilder<ProjectResource> app, IResourceBuilder<ProjectResource> media, IResourceBuilder<ParameterResource> internalKey) =>
        app.WithEnvironment("Media__BaseUrl", media.GetEndpoint("http"))
            .WithEnvironment("Media__InternalKey", internalKey);
}
