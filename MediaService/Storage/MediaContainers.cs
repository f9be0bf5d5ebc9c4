using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace Natter.MediaService.Storage;

/// <summary>
/// The three blob containers. Content is addressed by its SHA-256, so identical uploads share one blob:
/// attachments/{sha256}, thumbnails/{sha256}.jpg, and staging/{attachmentId} for resumable uploads in progress.
/// </summary>
public sealed class MediaContainers(BlobServiceClient service)
{
    public BlobContainerClient Attachments { get; } = service.GetBlobContainerClient("attachments");
    public BlobContainerClient Thumbnails { get; } = service.GetBlobContainerClient("thumbnails");
    public BlobContainerClient Staging { get; } = service.GetBlobContainerClient("staging");

    public BlockBlobClient Content(string sha256) => Attachments.GetBlockBlobClient(sha256);
    public BlockBlobClient Thumbnail(string sha256) => Thumbnails.GetBlockBlobClient($"{sha256}.jpg");
    public BlockBlobClient StagedUpload(string attachmentId) => Staging.GetBlockBlobClient(attachmentId);

    public IEnumerable<BlobContainerClient> All => [Attachments, Thumbnails, Staging];
}
