using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>
/// PNG files for the thumbnail tests, written chunk by chunk so that a huge image (a decompression bomb's shape: few
/// bytes on disk, many pixels decoded) never exists as pixels in the test process.
/// </summary>
public static class Png
{
    /// <summary>An ordinary image, encoded by Skia.</summary>
    public static byte[] Solid(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.CornflowerBlue);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A valid 8-bit greyscale PNG of one colour: width × height pixels in a file of a few tens of KB.</summary>
    public static byte[] Grey(int width, int height, bool interlaced = false)
    {
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            // Each row is a filter byte (0) and one grey byte per pixel. Adam7 interlacing splits the rows into passes;
            // a solid image is written as its seven passes so the file stays valid either way.
            foreach (var (passWidth, passHeight) in interlaced ? Adam7Passes(width, height) : [(width, height)])
            {
                var row = new byte[passWidth + 1];
                Array.Fill(row, (byte)0x80, 1, passWidth);
                for (var y = 0; y < passHeight && passWidth > 0; y++)
                {
                    zlib.Write(row);
                }
            }
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        header[12] = interlaced ? (byte)1 : (byte)0;
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", pixels.ToArray());
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>Rewrites the IHDR chunk's width and height (bytes 16–23) and its CRC, so the header stays well-formed.</summary>
    public static byte[] WithDimensions(byte[] png, int width, int height)
    {
        var result = png.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(29), Crc32(result.AsSpan(12, 17)));
        return result;
    }

    private static IEnumerable<(int Width, int Height)> Adam7Passes(int width, int height)
    {
        (int X0, int Dx, int Y0, int Dy)[] passes = [(0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2)];
        return passes.Select(p => ((width - p.X0 + p.Dx - 1) / p.Dx, (height - p.Y0 + p.Dy - 1) / p.Dy));
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        file.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        file.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        file.Write(crc);
    }

    public static uint Crc32(ReadOnlySpan<byte> bytes)
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
}
