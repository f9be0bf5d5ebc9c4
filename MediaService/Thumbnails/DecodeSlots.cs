namespace Natter.MediaService.Thumbnails;

/// <summary>
/// Bounds how many images decode at once. A slot is held until the decode itself ends, not until its request stops
/// waiting, so decodes that outlive their timeout still count against the bound.
/// </summary>
public sealed class DecodeSlots(int count)
{
    private readonly SemaphoreSlim _slots = new(count, count);

    /// <summary>A slot to dispose when the decode ends, or null when none came free within <paramref name="wait"/>.</summary>
    public async Task<IDisposable?> TryEnterAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        await _slots.WaitAsync(wait, cancellationToken) ? new Slot(_slots) : null;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
