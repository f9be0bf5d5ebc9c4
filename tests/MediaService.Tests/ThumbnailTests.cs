using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;
using SkiaSharp;

namespace Natter.MediaService.Tests;

[Collection(MediaCollection.Name)]
public sealed class ThumbnailTests(MediaFixture fixture)
{
    [StateFact]
    public async Task Image_upload_gets_a_jpeg_thumbnail_at_most_320_px_on_the_long_side()
    {
        var png = Png(1200, 700);
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
        var png = Png(400, 300);
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
        var bomb = WithDimensions(Png(10, 10), 30_000, 30_000);

        using var response = await fixture.UploadAsync("alice", bomb, "image/png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ErrorBody>();
        Assert.Equal("invalid_image", error!.Code);
        Assert.Contains("pixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_no_image_at_all_are_refused_when_declared_as_an_image()
    {
        using var response = await fixture.UploadAsync("alice", MediaFixture.RandomBytes(5000), "image/jpeg");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_image", (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Code);
    }

    private static byte[] Png(int width, int height)
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

    /// <summary>Rewrites the IHDR chunk's width and height (bytes 16–23) and its CRC, so the header stays well-formed.</summary>
    private static byte[] WithDimensions(byte[] png, int width, int height)
    {
        var result = png.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(29), Crc32(result.AsSpan(12, 17)));
        return result;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }

    private sealed record InfoBody(string AttachmentId, string? ThumbnailUrl);
}
