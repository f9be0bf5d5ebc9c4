using SkiaSharp;

namespace Natter.MediaService.Thumbnails;

public sealed record ThumbnailResult(byte[]? Jpeg, string? Error);

/// <summary>
/// Makes a JPEG of at most <see cref="MaxSide"/> px on the long side. Images come from strangers, so decoding is bounded:
/// by dimensions read from the header before any pixel is decoded, by decoding at a reduced sample size where the
/// format allows (JPEG decodes at 1/2, 1/4, 1/8 scale), and by time.
/// </summary>
public sealed class ThumbnailMaker(ILogger<ThumbnailMaker> logger)
{
    public const int MaxSide = 320;

    /// <summary>40 megapixels: above any phone camera, below a decompression bomb's appetite.</summary>
    public const long MaxPixels = 40_000_000;

    public static readonly TimeSpan DecodeTimeout = TimeSpan.FromSeconds(15);

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);

    public async Task<ThumbnailResult> MakeAsync(string imagePath, CancellationToken cancellationToken)
    {
        var decode = Task.Run(() => Make(imagePath), cancellationToken);
        try
        {
            return await decode.WaitAsync(DecodeTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Native decoding cannot be interrupted; the request stops waiting and the thread finishes on its own.
            logger.LogWarning("Decoding {Path} took longer than {Timeout}", imagePath, DecodeTimeout);
            return new ThumbnailResult(null, "The image took too long to decode.");
        }
    }

    private static ThumbnailResult Make(string imagePath)
    {
        using var codec = SKCodec.Create(imagePath, out var openResult);
        if (codec is null)
        {
            return new ThumbnailResult(null, $"The content is not a decodable image ({openResult}).");
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            return new ThumbnailResult(null, "The image has no pixels.");
        }
        if ((long)width * height > MaxPixels)
        {
            return new ThumbnailResult(null, $"The image is {width}x{height}; at most {MaxPixels} pixels are accepted.");
        }

        var scale = Math.Min(1f, (float)MaxSide / Math.Max(width, height));
        var decodeSize = codec.GetScaledDimensions(scale);
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput included: a truncated file is corrupt, even though Skia could paint part of it.
            return new ThumbnailResult(null, $"The image could not be decoded ({result}).");
        }

        var target = new SKImageInfo(
            Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)),
            SKColorType.Rgba8888, SKAlphaType.Premul);
        using var thumbnail = target.Width == decodeInfo.Width && target.Height == decodeInfo.Height
            ? decoded.Copy()
            : decoded.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        if (thumbnail is null)
        {
            return new ThumbnailResult(null, "The image could not be scaled.");
        }
        using var image = SKImage.FromBitmap(thumbnail);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 80);
        return new ThumbnailResult(jpeg.ToArray(), null);
    }
}
