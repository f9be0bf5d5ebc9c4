using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Natter.MediaService.Tests.Infrastructure;
using Natter.MediaService.Thumbnails;
using SkiaSharp;

namespace Natter.MediaService.Tests;

/// <summary>
/// Generated hostile input, with a fixed seed and a stated count so that CI runs the same cases every time (FsCheck
/// shrinks a failure to its smallest case and prints it). The property is the service's promise: an exact answer or
/// a JSON error with a documented code, never a 500, a dropped connection or a crash.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class FuzzTests(MediaFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    public const int HeaderCases = 300;
    public const int UploadHeaderCases = 300;
    public const int ImageCases = 500;

    private static Config Seeded(int count) =>
        Config.QuickThrowOnFailure.WithMaxTest(count).WithReplay(20261201UL, 0x9E3779B97F4A7C15UL);

    /// <summary>Printable ASCII: HttpClient refuses to send anything else in a header, so nothing else can reach the server.</summary>
    private static readonly Gen<string> Text =
        Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c)).Select(chars => new string(chars));

    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.Choose(0, 12_000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Elements("-1", "0", "00", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1e3", " 5", "0x10", ""),
        Text);

    /// <summary>Range headers: well-formed single ranges, suffixes, open ends, several ranges, other units, and junk.</summary>
    private static readonly Gen<string> Range = Gen.OneOf(
        from a in Number from b in Number select $"bytes={a}-{b}",
        from a in Number select $"bytes=-{a}",
        from a in Number select $"bytes={a}-",
        from a in Number from b in Number from c in Number select $"bytes={a}-{b},{c}-",
        from unit in Gen.Elements("items", "Bytes", "bytes ", "", "bytes=bytes") from a in Number select $"{unit}={a}-",
        Text);

    [StateFact]
    public void Fuzzed_range_headers_get_the_exact_bytes_or_a_clear_refusal()
    {
        var content = MediaFixture.RandomBytes(10_000);
        var uploaded = fixture.UploadOkAsync("alice", content).GetAwaiter().GetResult();
        using var alice = fixture.Client("alice");
        var ifRanges = Gen.Elements<string?>(null, $"\"{uploaded.Sha256}\"", "\"other\"", "W/\"x\"", "Tue, 01 Dec 2026 00:00:00 GMT", "junk");
        var cases = from range in Range from ifRange in ifRanges select (range, ifRange);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/attachments/{uploaded.AttachmentId}/content");
            request.Headers.TryAddWithoutValidation("Range", c.range);
            if (c.ifRange is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Range", c.ifRange);
            }
            using var response = alice.SendAsync(request).GetAwaiter().GetResult();
            var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            return response.StatusCode switch
            {
                HttpStatusCode.OK => body.AsSpan().SequenceEqual(content),
                HttpStatusCode.PartialContent => response.Content.Headers.ContentRange is { From: { } from, To: { } to, Length: 10_000 }
                    && body.AsSpan().SequenceEqual(content.AsSpan((int)from, (int)(to - from + 1))),
                HttpStatusCode.RequestedRangeNotSatisfiable => response.Content.Headers.ContentRange?.Length == 10_000,
                _ => false,
            };
        }).Check(Seeded(HeaderCases));
    }

    [StateFact]
    public void Fuzzed_upload_headers_and_signatures_get_a_documented_answer()
    {
        var content = MediaFixture.RandomBytes(3000);
        using var service = fixture.ServiceClient();
        using var createdResponse = service.PostAsJsonAsync("/attachments",
            new { sha256 = MediaFixture.Sha256Of(content), size = content.Length, contentType = "application/pdf", userId = "alice" }).GetAwaiter().GetResult();
        var created = createdResponse.Content.ReadFromJsonAsync<Created>().GetAwaiter().GetResult()!;
        var signed = new Uri(created.UploadUrl).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expires = Gen.OneOf(Gen.Constant(signed["expires"]), Number);
        var sig = Gen.OneOf(
            Gen.Constant(signed["sig"]),
            Gen.Constant(signed["sig"][..^1] + (signed["sig"][^1] == 'A' ? 'B' : 'A')),
            Text.Select(Uri.EscapeDataString));
        var methods = Gen.Elements(HttpMethod.Patch, HttpMethod.Head, HttpMethod.Put);
        var cases = from method in methods from e in expires from s in sig from offset in Number
                    from length in Gen.Choose(0, 4000) select (method, e, s, offset, length);
        HttpStatusCode[] documented = [HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized,
            HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.RequestEntityTooLarge];
        using var anonymous = fixture.Client();

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            using var request = new HttpRequestMessage(c.method, $"/uploads/{created.AttachmentId}?expires={c.e}&sig={c.s}");
            if (c.method != HttpMethod.Head)
            {
                request.Content = new ByteArrayContent(content, 0, Math.Min(c.length, content.Length));
                request.Headers.TryAddWithoutValidation("Upload-Offset", c.offset);
            }
            using var response = anonymous.SendAsync(request).GetAwaiter().GetResult();
            Assert.True(documented.Contains(response.StatusCode) && (response.IsSuccessStatusCode || c.method == HttpMethod.Head || HasCode(response)),
                $"{c.method} expires={c.e} sig={c.s} offset={c.offset} ({c.length} bytes): {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }).Check(Seeded(UploadHeaderCases));
    }

    [Fact]
    public void Hostile_images_are_thumbnailed_within_bounds_or_refused_with_a_code()
    {
        var maker = fixture.Host.Services.GetRequiredService<ThumbnailMaker>();
        var folder = Directory.CreateTempSubdirectory("natter-fuzz-").FullName;
        byte[][] seeds = [Png.Solid(90, 60), Png.Grey(300, 200), Png.Grey(64, 64, interlaced: true), Encoded(SKEncodedImageFormat.Jpeg, 120, 80),
            Encoded(SKEncodedImageFormat.Webp, 100, 100), Gif.Claiming(40, 30), Bmp(50, 40)];
        var mutations = Gen.OneOf(
            from at in Gen.Choose(0, 4000) from bits in Gen.Choose(1, 255) select (Func<byte[], byte[]>)(image => Flip(image, at, bits)),
            from keep in Gen.Choose(0, 100) select (Func<byte[], byte[]>)(image => image[..(image.Length * keep / 100)]),
            from w in Gen.Choose(0, 70_000) from h in Gen.Choose(0, 70_000) select (Func<byte[], byte[]>)(image => Resized(image, w, h)),
            from at in Gen.Choose(0, 4000) from junk in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)) select (Func<byte[], byte[]>)(image => Spliced(image, at, junk)));
        var cases = from seed in Gen.Choose(0, seeds.Length - 1)
                    from steps in Gen.Choose(1, 3)
                    from mutate in Gen.ListOf(mutations, steps)
                    select mutate.Aggregate(seeds[seed], (image, m) => m(image));
        var refused = 0;

        Prop.ForAll(cases.ToArbitrary(), image =>
        {
            var path = Path.Combine(folder, Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(path, image);
            var result = maker.MakeAsync(path, CancellationToken.None).GetAwaiter().GetResult();
            File.Delete(path);
            if (result.Jpeg is null)
            {
                refused++;
                return result.ErrorCode is ThumbnailResult.InvalidImage or ThumbnailResult.ImageTooLarge && result.DecodedPixels == 0;
            }
            using var thumbnail = SKBitmap.Decode(result.Jpeg);
            return thumbnail is not null && Math.Max(thumbnail.Width, thumbnail.Height) <= ThumbnailMaker.MaxSide
                && result.DecodedPixels <= ThumbnailMaker.MaxDecodedPixels;
        }).Check(Seeded(ImageCases));

        Directory.Delete(folder, recursive: true);
        output.WriteLine($"{ImageCases} hostile images: {ImageCases - refused} thumbnailed, {refused} refused with a code, 0 crashes");
        // Some cases must reach each side, or the generator tests nothing.
        Assert.InRange(refused, 1, ImageCases - 1);
    }

    private static bool HasCode(HttpResponseMessage response)
    {
        try
        {
            using var body = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            return body.RootElement.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Flip(byte[] image, int at, int bits)
    {
        var copy = image.ToArray();
        if (copy.Length > 0)
        {
            copy[at % copy.Length] ^= (byte)bits;
        }
        return copy;
    }

    private static byte[] Spliced(byte[] image, int at, byte[] junk)
    {
        var cut = image.Length == 0 ? 0 : at % image.Length;
        return [.. image[..cut], .. junk, .. image[cut..]];
    }

    /// <summary>A header that claims other dimensions: PNG's IHDR (with a valid CRC), or the width/height fields of GIF and BMP.</summary>
    private static byte[] Resized(byte[] image, int width, int height)
    {
        if (image.Length > 30 && image[1] == (byte)'P' && image[2] == (byte)'N')
        {
            return Png.WithDimensions(image, width, height);
        }
        var copy = image.ToArray();
        if (copy.Length > 26 && copy[0] == (byte)'B' && copy[1] == (byte)'M')
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(18), width);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(22), height);
        }
        else if (copy.Length > 10 && copy[0] == (byte)'G')
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(6), (ushort)width);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(8), (ushort)height);
        }
        return copy;
    }

    private static byte[] Encoded(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Goldenrod);
        }
        using var data = bitmap.Encode(format, 80);
        return data.ToArray();
    }

    /// <summary>An uncompressed 24-bit BMP (Skia writes none).</summary>
    private static byte[] Bmp(int width, int height)
    {
        var rowBytes = (width * 3 + 3) & ~3;
        var file = new byte[54 + rowBytes * height];
        "BM"u8.CopyTo(file);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);
        Array.Fill(file, (byte)0x7F, 54, rowBytes * height);
        return file;
    }

    private sealed record Created(string AttachmentId, string UploadUrl);
}
