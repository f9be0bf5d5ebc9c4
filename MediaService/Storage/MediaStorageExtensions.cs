using Azure.Storage;
using Azure.Storage.Blobs;

namespace Natter.MediaService.Storage;

public static class MediaStorageExtensions
{
    /// <summary>Blob storage from ConnectionStrings:blobs (the AppHost passes Azurite's), metadata in the Dapr state store.</summary>
    public static WebApplicationBuilder AddMediaStorage(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("blobs")
            ?? throw new InvalidOperationException("ConnectionStrings:blobs is required (an Azure Storage connection string).");
        var options = new BlobClientOptions();
        // No per-request MD5/CRC64: uploads are verified end to end by their SHA-256, and the transport by TLS.
        // The checksums would cost CPU on both sides of every block for no extra guarantee.
        options.TransferValidation.Upload.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        options.TransferValidation.Download.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        builder.Services.AddSingleton(new BlobServiceClient(connectionString, options));
        builder.Services.AddSingleton<MediaContainers>();
        builder.Services.AddHostedService<ContainerSetup>();
        return builder;
    }
}
