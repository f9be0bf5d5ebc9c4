using System.Buffers;

namespace Natter.MediaService.Storage;

/// <summary>
/// The 4 MiB block buffers every upload and download streams through. A dedicated, bounded pool rather than
/// ArrayPool.Shared: the shared pool caches per thread and per core, so under load it can keep many 4 MiB arrays alive;
/// this one keeps at most <see cref="Retained"/> and lets the rest go to the GC.
/// </summary>
public static class MediaBuffers
{
    /// <summary>4 MiB: few enough storage round trips for throughput, small enough to keep memory flat.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    /// <summary>Two concurrent transfers' worth (an upload holds at most 4, a download 3): 32 MB retained at most.</summary>
    private const int Retained = 8;

    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(BlockSize, Retained);
}
