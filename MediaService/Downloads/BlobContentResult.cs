using System.Buffers;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;
using Natter.MediaService.Storage;

namespace Natter.MediaService.Downloads;

/// <summary>
/// Streams a blob (or one byte range of it) from storage into the response through a few pooled chunk buffers,
/// never the whole body. Answers If-None-Match (304), Range (206) and If-Range itself,
/// because the content is immutable and its strong ETag is its SHA-256.
/// </summary>
public sealed class BlobContentResult(BlockBlobClient blob, long length, string contentType, string sha256) : IResult
{
    private const int ChunkSize = MediaBuffers.BlockSize;
    private const int ChunksInFlight = 3;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request.GetTypedHeaders();
        var response = httpContext.Response;
        var etag = new EntityTagHeaderValue($"\"{sha256}\"");
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "private, max-age=31536000, immutable";

        if (request.IfNoneMatch is { Count: > 0 } ifNoneMatch && ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var (from, to) = (0L, length - 1);
        var partial = false;
        if (RequestedRange(request, etag) is { } range)
        {
            if (!TryResolve(range, length, out from, out to))
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                headers.ContentRange = new ContentRangeHeaderValue(length);
                return;
            }
            partial = true;
        }

        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = length == 0 ? 0 : to - from + 1;
        if (partial)
        {
            headers.ContentRange = new ContentRangeHeaderValue(from, to, length);
        }
        if (length == 0 || HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }
        await CopyRangeAsync(blob, from, to - from + 1, response.Body, httpContext.RequestAborted);
    }

    /// <summary>
    /// Reads the range as consecutive chunks, a few in flight at once, and writes them in order: storage serves the
    /// next chunk while the client receives this one. Memory stays at ChunksInFlight × ChunkSize.
    /// </summary>
    private static async Task CopyRangeAsync(BlockBlobClient blob, long offset, long count, Stream destination, CancellationToken cancellationToken)
    {
        var pending = new Queue<Task<(byte[] Buffer, int Length)>>();
        var next = offset;
        var end = offset + count;
        try
        {
            while (next < end || pending.Count > 0)
            {
                while (next < end && pending.Count < ChunksInFlight)
                {
                    var length = (int)Math.Min(ChunkSize, end - next);
                    pending.Enqueue(ReadChunkAsync(blob, next, length, cancellationToken));
                    next += length;
                }
                var (buffer, read) = await pending.Dequeue();
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                finally
                {
                    MediaBuffers.Pool.Return(buffer);
                }
            }
        }
        finally
        {
            // On failure, let outstanding reads finish before their buffers go back to the pool.
            while (pending.Count > 0)
            {
                try
                {
                    MediaBuffers.Pool.Return((await pending.Dequeue()).Buffer);
                }
                catch (Exception)
                {
                    // The response is failing already; this chunk's error adds nothing.
                }
            }
        }
    }

    private static async Task<(byte[] Buffer, int Length)> ReadChunkAsync(BlockBlobClient blob, long offset, int length, CancellationToken cancellationToken)
    {
        var buffer = MediaBuffers.Pool.Rent(length);
        try
        {
            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            await using var content = download.Value.Content;
            await content.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            return (buffer, length);
        }
        catch
        {
            MediaBuffers.Pool.Return(buffer);
            throw;
        }
    }

    /// <summary>One range, honoured only if If-Range (when present) still names this content; otherwise the whole blob.</summary>
    private static RangeItemHeaderValue? RequestedRange(RequestHeaders request, EntityTagHeaderValue etag)
    {
        if (request.Range is not { Unit.Value: "bytes", Ranges.Count: 1 } range)
        {
            // Multipart ranges are rare and optional (RFC 9110 lets a server answer 200 with everything).
            return null;
        }
        if (request.IfRange is { } ifRange && (ifRange.EntityTag is null || !ifRange.EntityTag.Compare(etag, useStrongComparison: true)))
        {
            return null;
        }
        return range.Ranges.Single();
    }

    private static bool TryResolve(RangeItemHeaderValue range, long length, out long from, out long to)
    {
        (from, to) = (0, -1);
        if (range.From is { } start)
        {
            if (start >= length)
            {
                return false;
            }
            (from, to) = (start, Math.Min(range.To ?? length - 1, length - 1));
            return to >= from;
        }
        if (range.To is { } suffix && suffix > 0)
        {
            (from, to) = (Math.Max(0, length - suffix), length - 1);
            return length > 0;
        }
        return false;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{blob.Name} ({length} bytes)");
}
