using System.Buffers;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Natter.MediaService.Storage;

namespace Natter.MediaService.Uploads;

/// <summary>
/// tus-like resumable uploads. Chunks become uncommitted blocks of staging/{attachmentId}, each named by its offset,
/// so the storage service itself remembers what arrived: the offset survives a broken connection and a restart.
/// When the last byte arrives the blocks are committed and the staged blob is streamed through the normal pipeline,
/// which hashes it (a hash cannot be carried across requests) and stores it content-addressed.
/// </summary>
public sealed class ResumableUploads(MediaContainers containers, ILogger<ResumableUploads> logger)
{
    /// <summary>Bounds staging one block after the client went away (its own token is cancelled then).</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    public async Task<long> GetOffsetAsync(string attachmentId, CancellationToken cancellationToken)
    {
        var blocks = await ReceivedBlocksAsync(attachmentId, cancellationToken);
        return blocks.Count == 0 ? 0 : blocks[^1].Offset + blocks[^1].Size;
    }

    /// <summary>Appends the body at <paramref name="offset"/>, keeping whatever arrived even if the body breaks off.</summary>
    public async Task<long> AppendAsync(string attachmentId, long offset, long maxLength, Stream body, CancellationToken cancellationToken)
    {
        var blob = containers.StagedUpload(attachmentId);
        var buffer = MediaBuffers.Pool.Rent(ContentStager.BlockSize);
        try
        {
            while (true)
            {
                var (filled, ended) = await FillAsync(body, buffer, attachmentId, offset, cancellationToken);
                if (filled > 0)
                {
                    if (offset + filled > maxLength)
                    {
                        throw new UploadTooLongException();
                    }
                    // Not the request's token: when the client breaks off, that one is cancelled, and what arrived must still be kept.
                    using var flush = new CancellationTokenSource(FlushTimeout);
                    using var content = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(BlockId(offset), content, cancellationToken: flush.Token);
                    offset += filled;
                }
                if (ended)
                {
                    return offset;
                }
            }
        }
        finally
        {
            MediaBuffers.Pool.Return(buffer);
        }
    }

    /// <summary>Fills one block from the body; a broken connection ends it with the bytes that did arrive.</summary>
    private async Task<(int Filled, bool Ended)> FillAsync(
        Stream body, byte[] buffer, string attachmentId, long offset, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < ContentStager.BlockSize)
        {
            int read;
            try
            {
                read = await body.ReadAsync(buffer.AsMemory(filled, ContentStager.BlockSize - filled), cancellationToken);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                logger.LogInformation("Upload {AttachmentId} broke off at offset {Offset}: {Message}", attachmentId, offset + filled, e.Message);
                return (filled, true);
            }
            if (read == 0)
            {
                return (filled, true);
            }
            filled += read;
        }
        return (filled, false);
    }

    /// <summary>Commits the received blocks in order and opens the staged blob for the verifying pipeline.</summary>
    public async Task<Stream> CommitAndOpenAsync(string attachmentId, CancellationToken cancellationToken)
    {
        var blocks = await ReceivedBlocksAsync(attachmentId, cancellationToken);
        var blob = containers.StagedUpload(attachmentId);
        await blob.CommitBlockListAsync(blocks.Select(b => b.Id), cancellationToken: cancellationToken);
        return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = ContentStager.BlockSize },
            cancellationToken);
    }

    public Task DiscardAsync(string attachmentId, CancellationToken cancellationToken) =>
        containers.StagedUpload(attachmentId).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    private async Task<List<(string Id, long Offset, long Size)>> ReceivedBlocksAsync(string attachmentId, CancellationToken cancellationToken)
    {
        BlockList list;
        try
        {
            list = (await containers.StagedUpload(attachmentId).GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        // Committed blocks count too: a completion that committed and then failed to verify resumes from its blocks.
        var blocks = list.CommittedBlocks.Concat(list.UncommittedBlocks)
            .Select(b => (b.Name, Offset: OffsetOf(b.Name), Size: b.SizeLong))
            .Where(b => b.Offset >= 0)
            .GroupBy(b => b.Offset).Select(g => g.Last())
            .OrderBy(b => b.Offset)
            .ToList();
        // Only the contiguous run from 0 counts: a gap means a chunk never arrived.
        var contiguous = new List<(string, long, long)>();
        long expected = 0;
        foreach (var block in blocks)
        {
            if (block.Offset != expected)
            {
                break;
            }
            contiguous.Add(block);
            expected += block.Size;
        }
        return contiguous;
    }

    // Block ids must share one length within a blob: the offset as 16 decimal digits.
    private static string BlockId(long offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes(offset.ToString("D16", System.Globalization.CultureInfo.InvariantCulture)));

    private static long OffsetOf(string blockId)
    {
        try
        {
            return long.TryParse(Encoding.ASCII.GetString(Convert.FromBase64String(blockId)), out var offset) ? offset : -1;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}

public sealed class UploadTooLongException() : Exception("The chunk goes past the attachment's declared size.");
