using SkiaSharp;

namespace Natter.MediaService.Thumbnails;

/// <summary>
/// The outcome of a thumbnail: a JPEG, or an error code (docs/MEDIA.md) and message. DecodedPixels is how many pixels
/// the decode held in memory at once, which the limits below keep small.
/// </summary>
public sealed record ThumbnailResult(byte[]? Jpeg, string? ErrorCode, string? Error, long DecodedPixels = 0)
{
    public const string InvalidImage = "invalid_image";
    public const string ImageTooLarge = "image_too_large";
    public const string Busy = "retry_later";

    public static ThumbnailResult Fail(string code, string message) => new(null, code, message);
}

/// <summary>
/// Makes a JPEG of at most <see cref="MaxSide"/> px on the long side. Images come from strangers, so decoding is bounded:
/// by dimensions read from the header before any pixel is decoded; by memory, since no decode holds more than
/// <see cref="MaxDecodedPixels"/>; by how many run at once (<see cref="DecodeSlots"/>); and by time.
/// </summary>
public sealed class ThumbnailMaker(ILogger<ThumbnailMaker> logger)
{
    public const int MaxSide = 320;

    /// <summary>40 megapixels: above any phone camera, below a decompression bomb's appetite.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>
    /// 12 MP (48 MB of RGBA) at most in memory per decode: a 4K screenshot passes. JPEG and WebP above it decode at
    /// 1/2..1/8 scale; PNG, GIF and BMP cannot be decoded smaller by Skia, so above it they are refused before decoding.
    /// </summary>
    public const long MaxDecodedPixels = 12_000_000;

    /// <summary>Two cores, and 2 × 48 MB keeps a burst of images inside MediaService's memory aim.</summary>
    public const int MaxConcurrentDecodes = 2;

    public static readonly TimeSpan DecodeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long an upload waits for a decode slot before it is told to retry.</summary>
    public static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(10);

    private readonly DecodeSlots _slots = new(MaxConcurrentDecodes);

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);

    public async Task<ThumbnailResult> MakeAsync(string imagePath, CancellationToken cancellationToken)
    {
        var slot = await _slots.TryEnterAsync(SlotWait, cancellationToken);
        if (slot is null)
        {
            return ThumbnailResult.Fail(ThumbnailResult.Busy, "Too many images are being decoded; upload again shortly.");
        }
        var decode = Task.Run(() =>
        {
            using (slot)
            {
                return Make(imagePath);
            }
        }, CancellationToken.None);
        try
        {
            return await decode.WaitAsync(DecodeTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A native decode cannot be interrupted: the upload stops waiting, and the decode keeps its slot until it
            // ends, so slow decodes still count against the bound. The size limits keep any one decode short.
            logger.LogWarning("Decoding {Path} took longer than {Timeout}", imagePath, DecodeTimeout);
            return ThumbnailResult.Fail(ThumbnailResult.InvalidImage, "The image took too long to decode.");
        }
    }

    private static ThumbnailResult Make(string imagePath)
    {
        using var codec = SKCodec.Create(imagePath, out var openResult);
        if (codec is null)
        {
            return ThumbnailResult.Fail(ThumbnailResult.InvalidImage, $"The content is not a decodable image ({openResult}).");
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            return ThumbnailResult.Fail(ThumbnailResult.InvalidImage, "The image has no pixels.");
        }
        if ((long)width * height > MaxPixels)
        {
            return ThumbnailResult.Fail(ThumbnailResult.ImageTooLarge, $"The image is {width}x{height}; at most {MaxPixels} pixels are accepted.");
        }

        var scale = Math.Min(1f, (float)MaxSide / Math.Max(width, height));
        var target = new SKImageInfo(
            Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)),
            SKColorType.Rgba8888, SKAlphaType.Premul);
        // Only JPEG and WebP decode smaller than full size; anything else is decoded whole, so it must be small enough.
        var scaled = codec.GetScaledDimensions(scale);
        if ((long)scaled.Width * scaled.Height > MaxDecodedPixels)
        {
            return ThumbnailResult.Fail(ThumbnailResult.ImageTooLarge,
                $"The image is {width}x{height} in a format ({codec.EncodedFormat}) that decodes only at full size; at most {MaxDecodedPixels} pixels are accepted for it.");
        }
        var (decoded, error) = DecodeWhole(codec, scaled);
        if (decoded is null)
        {
            return error!;
        }
        using (decoded)
        {
            using var thumbnail = target.Width == decoded.Width && target.Height == decoded.Height
                ? decoded.Copy()
                : decoded.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            if (thumbnail is null)
            {
                return ThumbnailResult.Fail(ThumbnailResult.InvalidImage, "The image could not be scaled.");
            }
            using var image = SKImage.FromBitmap(thumbnail);
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 80);
            return new ThumbnailResult(jpeg.ToArray(), null, null, (long)decoded.Width * decoded.Height);
        }
    }

    /// <summary>The whole image at the codec's nearest scale.</summary>
    private static (SKBitmap?, ThumbnailResult?) DecodeWhole(SKCodec codec, SKSizeI size)
    {
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.Success)
        {
            return (bitmap, null);
        }
        bitmap.Dispose();
        // IncompleteInput included: a truncated file is corrupt, even though Skia could paint part of it.
        return (null, ThumbnailResult.Fail(ThumbnailResult.InvalidImage, $"The image could not be decoded ({result})."));
    }
}
