using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using Natter.MediaService.Storage;

namespace Natter.MediaService.Uploads;

/// <summary>Content that arrived, was hashed, and sits as uncommitted blocks on attachments/{sha256}.</summary>
public sealed record StagedContent(string Sha256, long Size, IReadOnlyList<string> BlockIds, string? ImageCopyPath) : IDisposable
{
    public void Dispose()
    {
        if (ImageCopyPath is not null)
        {
            File.Delete(ImageCopyPath);
        }
    }
}

public enum StageFailure { TooLarge, HashMismatch, SizeMismatch }

public sealed record StageResult(StagedContent? Content, StageFailure? Failure, string? ActualSha256 = null, long ActualSize = 0);

/// <summary>
/// Streams an upload into uncommitted blocks of the content-addressed blob while hashing it incrementally.
/// Nothing becomes visible until the caller commits the block list, which it does only when the hash matched:
/// a wrong upload leaves only uncommitted blocks, which the storage service discards.
/// </summary>
public sealed class ContentStager(MediaContainers containers, IOptions<MediaOptions> options)
{
    public const int BlockSize = MediaBuffers.BlockSize;

    /// <summary>Blocks uploading while the next one is read: overlaps network in and out; memory ≈ (this + 1) × BlockSize.</summary>
    private const int BlocksInFlight = 3;

    public async Task<StageResult> StageAsync(
        Stream source, string declaredSha256, long? declaredSize, bool keepImageCopy, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        var blob = containers.Content(declaredSha256);
        // Block ids are unique per upload, so concurrent uploads of the same content never mix their blocks.
        var uploadPrefix = Guid.NewGuid().ToByteArray();
        var blockIds = new List<string>();
        var inFlight = new Queue<(Task Upload, byte[] Buffer)>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string? imagePath = keepImageCopy ? Path.Combine(Path.GetTempPath(), $"natter-media-{Guid.NewGuid():N}") : null;
        FileStream? imageCopy = imagePath is null ? null : new FileStream(imagePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        long total = 0;
        var succeeded = false;
        try
        {
            while (true)
            {
                var buffer = MediaBuffers.Pool.Rent(BlockSize);
                var read = await source.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    MediaBuffers.Pool.Return(buffer);
                    break;
                }
                total += read;
                if (total > limit || (declaredSize is { } size && total > size))
                {
                    MediaBuffers.Pool.Return(buffer);
                    return new StageResult(null, total > limit ? StageFailure.TooLarge : StageFailure.SizeMismatch, ActualSize: total);
                }
                hash.AppendData(buffer, 0, read);
                if (imageCopy is not null)
                {
                    await imageCopy.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                var blockId = BlockId(uploadPrefix, blockIds.Count);
                blockIds.Add(blockId);
                if (inFlight.Count >= BlocksInFlight)
                {
                    await CompleteOldest(inFlight);
                }
                inFlight.Enqueue((StageBlock(blob, blockId, buffer, read, cancellationToken), buffer));
                if (read < BlockSize)
                {
                    break;
                }
            }
            while (inFlight.Count > 0)
            {
                await CompleteOldest(inFlight);
            }
            if (imageCopy is not null)
            {
                await imageCopy.DisposeAsync();
                imageCopy = null;
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (declaredSize is { } expected && expected != total)
            {
                return new StageResult(null, StageFailure.SizeMismatch, actual, total);
            }
            if (actual != declaredSha256)
            {
                return new StageResult(null, StageFailure.HashMismatch, actual, total);
            }
            succeeded = true;
            return new StageResult(new StagedContent(actual, total, blockIds, imagePath), null, actual, total);
        }
        finally
        {
            while (inFlight.Count > 0)
            {
                // Drain on failure too: the pooled buffers must not go back while a block upload still reads them.
                try
                {
                    await CompleteOldest(inFlight);
                }
                catch (Exception) when (!succeeded)
                {
                    // The upload failed already; its uncommitted blocks are discarded by the storage service.
                }
            }
            if (imageCopy is not null)
            {
                await imageCopy.DisposeAsync();
            }
            if (!succeeded && imagePath is not null)
            {
                File.Delete(imagePath);
            }
        }
    }

    private static async Task CompleteOldest(Queue<(Task Upload, byte[] Buffer)> inFlight)
    {
        var (upload, buffer) = inFlight.Dequeue();
        try
        {
            await upload;
        }
        finally
        {
            MediaBuffers.Pool.Return(buffer);
        }
    }

    private static async Task StageBlock(BlockBlobClient blob, string blockId, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(buffer, 0, count, writable: false);
        await blob.StageBlockAsync(blockId, content, cancellationToken: cancellationToken);
    }

    private static string BlockId(byte[] uploadPrefix, int index)
    {
        // Every id in one blob must have the same length: 16 bytes of upload + 4 bytes of index.
        Span<byte> id = stackalloc byte[20];
        uploadPrefix.CopyTo(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], index);
        return Convert.ToBase64String(id);
    }
}
