using Azure.Storage.Blobs;

namespace Natter.MediaService.Storage;

public static class MediaStorageExtensions
{
    /// <summary>Blob storage from ConnectionStrings:blobs (the AppHost passes Azurite's), metadata in the Dapr state store.</summary>
    public static WebApplicationBuilder AddMediaStorage(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("blobs")
            ?? throw new InvalidOperationException("ConnectionStrings:blobs is required (an Azure Storage connection string).");
        builder.Services.AddSingleton(new BlobServiceClient(connectionString));
        builder.Services.AddSingleton<MediaContainers>();
        builder.Services.AddSingleton<MediaState>();
        builder.Services.AddHostedService<ContainerSetup>();
        return builder;
    }
}
