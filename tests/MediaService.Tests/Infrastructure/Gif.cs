using System.Buffers.Binary;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>GIF files for the thumbnail tests. Skia decodes GIF only whole, never downscaled or row by row.</summary>
public static class Gif
{
    /// <summary>A two-colour GIF whose header and frame claim width × height; the frame's data is one clear code and the end.</summary>
    public static byte[] Claiming(int width, int height)
    {
        var file = new List<byte>("GIF89a"u8.ToArray());
        file.AddRange(Size(width, height));
        file.AddRange([0x80, 0, 0]); // a global colour table of 2 entries, background 0, no aspect ratio
        file.AddRange([0, 0, 0, 255, 255, 255]);
        file.Add(0x2C); // image descriptor at 0,0, the full size, no local table
        file.AddRange([0, 0, 0, 0]);
        file.AddRange(Size(width, height));
        file.Add(0);
        file.Add(2); // LZW minimum code size
        file.AddRange([2, 0x44, 0x01, 0]); // one sub-block: clear (4) then end (5), 3-bit codes; then the terminator
        file.Add(0x3B);
        return [.. file];
    }

    private static byte[] Size(int width, int height)
    {
        var size = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(size, (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(size.AsSpan(2), (ushort)height);
        return size;
    }
}
