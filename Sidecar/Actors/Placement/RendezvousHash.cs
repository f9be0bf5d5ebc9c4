using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// Highest-random-weight hashing: every host scores the actor, the highest score owns it. When a host leaves,
/// only its actors move; when one joins, it takes about 1/n of each other host's actors.
/// </summary>
public static class RendezvousHash
{
    private const int StackLimit = 512;

    public static PlacementHost? Owner(IReadOnlyList<PlacementHost> hosts, string actorType, string actorId)
    {
        if (hosts.Count == 0)
        {
            return null;
        }
        if (hosts.Count == 1)
        {
            return hosts[0];
        }
        var length = Encoding.UTF8.GetMaxByteCount(actorType.Length + actorId.Length + 2);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(actorType, buffer);
            buffer[written++] = (byte)'|';
            buffer[written++] = (byte)'|';
            written += Encoding.UTF8.GetBytes(actorId, buffer[written..]);
            var key = buffer[..written];
            PlacementHost? best = null;
            var bestWeight = 0UL;
            foreach (var host in hosts)
            {
                var weight = XxHash64.HashToUInt64(key, unchecked((long)host.Seed));
                // Ties (practically never) go to the smaller id, so every sidecar picks the same owner.
                if (best is null || weight > bestWeight
                    || (weight == bestWeight && string.CompareOrdinal(host.InstanceId, best.InstanceId) < 0))
                {
                    best = host;
                    bestWeight = weight;
                }
            }
            return best;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
