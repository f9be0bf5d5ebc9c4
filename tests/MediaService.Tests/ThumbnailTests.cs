using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Natter.MediaService.Thumbnails;
using SkiaSharp;

namespace Natter.MediaService.Tests;

[Collection(MediaCollection.Name)]
public sealed class ThumbnailTests(MediaFixture fixture)
{
    [StateFact]
    public async Task Image_upload_gets_a_jpeg_thumbnail_at_most_320_px_on_the_long_side()
    {
        var png = DrawnPng(1200, 700);
        var uploaded = await fixture.UploadOkAsync("alice", png, "image/png");
        using var alice = fixture.Client("alice");

        using var response = await alice.GetAsync($"/attachments/{uploaded.AttachmentId}/thumbnail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        using var thumbnail = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(thumbnail);
        Assert.Equal(320, Math.Max(thumbnail.Width, thumbnail.Height));
        Assert.InRange(thumbnail.Height, 185, 188); // 700 × 320/1200, the aspect ratio kept
        var info = await alice.GetFromJsonAsync<InfoBody>($"/attachments/{uploaded.AttachmentId}");
        Assert.Equal($"/attachments/{uploaded.AttachmentId}/thumbnail", info!.ThumbnailUrl);
    }

    [Fact]
    public async Task Corrupt_image_is_refused_with_invalid_image_and_nothing_is_stored()
    {
        var png = DrawnPng(400, 300);
        // Keep the signature and header, scramble the pixel data.
        var corrupt = png.ToArray();
        Random.Shared.NextBytes(corrupt.AsSpan(40));

        using var response = await fixture.UploadAsync("alice", corrupt, "image/png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_image", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
        Assert.DoesNotContain(MediaFixture.Sha256Of(corrupt), await fixture.BlobNamesAsync("attachments"));
    }

    [Fact]
    public async Task Image_whose_header_claims_a_huge_size_is_refused_before_decoding()
    {
        // A decompression bomb's shape: a tiny file whose header announces 30000 × 30000 pixels.
        var bomb = Png.WithDimensions(DrawnPng(10, 10), 30_000, 30_000);

        using var response = await fixture.UploadAsync("alice", bomb, "image/png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ErrorBody>();
        Assert.Equal("image_too_large", error!.Code);
        Assert.Contains("pixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_jpeg_is_decoded_at_a_fraction_of_its_pixels()
    {
        // 24 megapixels: JPEG decodes at 1/8 scale, so the decode holds 0.4 MP, not 96 MB of pixels.
        var path = await TemporaryFileAsync(Jpeg(6000, 4000));
        var maker = fixture.Host.Services.GetRequiredService<ThumbnailMaker>();

        var result = await maker.MakeAsync(path, CancellationToken.None);

        Assert.Null(result.Error);
        using var thumbnail = SKBitmap.Decode(result.Jpeg);
        Assert.Equal((320, 213), (thumbnail.Width, thumbnail.Height));
        Assert.InRange(result.DecodedPixels, 1, 4 * 320 * 320);
    }

    [Fact]
    public async Task A_large_image_that_cannot_be_decoded_downscaled_is_refused_before_any_pixel()
    {
        // 36 MP of PNG in about 40 KB (a full decode would hold 144 MB), and an interlaced one: Skia decodes PNG only
        // at full size, so above the decode limit it is refused from the header alone.
        var maker = fixture.Host.Services.GetRequiredService<ThumbnailMaker>();
        foreach (var image in new[] { Png.Grey(6000, 6000), Png.Grey(4000, 3500, interlaced: true) })
        {
            var result = await maker.MakeAsync(await TemporaryFileAsync(image), CancellationToken.None);

            Assert.True((ThumbnailResult.ImageTooLarge, 0L) == (result.ErrorCode, result.DecodedPixels), $"{image.Length} bytes: {result.Error}");
        }
        using var response = await fixture.UploadAsync("alice", Png.Grey(6000, 6000), "image/png");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("image_too_large", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    [StateFact]
    public async Task A_png_as_large_as_a_4k_screenshot_gets_its_thumbnail()
    {
        var uploaded = await fixture.UploadOkAsync("alice", Png.Grey(3840, 2160), "image/png");
        using var alice = fixture.Client("alice");

        using var thumbnail = SKBitmap.Decode(await alice.GetByteArrayAsync($"/attachments/{uploaded.AttachmentId}/thumbnail"));

        Assert.Equal((320, 180), (thumbnail.Width, thumbnail.Height));
    }

    [Fact]
    public async Task Decode_slots_are_bounded_and_a_slot_frees_only_when_its_decode_ends()
    {
        var slots = new DecodeSlots(2);
        using var first = await slots.TryEnterAsync(TimeSpan.Zero, CancellationToken.None);
        var second = await slots.TryEnterAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(await slots.TryEnterAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        second!.Dispose();
        second.Dispose(); // twice is once: a slot is never released for another
        using var third = await slots.TryEnterAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(third);
        Assert.Null(await slots.TryEnterAsync(TimeSpan.Zero, CancellationToken.None));
    }

    private static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SeaGreen);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 70);
        return data.ToArray();
    }

    private static async Task<string> TemporaryFileAsync(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"natter-thumb-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    [Fact]
    public async Task Bytes_that_are_no_image_at_all_are_refused_when_declared_as_an_image()
    {
        using var response = await fixture.UploadAsync("alice", MediaFixture.RandomBytes(5000), "image/jpeg");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_image", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    private static byte[] DrawnPng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.CornflowerBlue);
            using var paint = new SKPaint { Color = SKColors.OrangeRed };
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private sealed record InfoBody(string AttachmentId, string? ThumbnailUrl);
}
