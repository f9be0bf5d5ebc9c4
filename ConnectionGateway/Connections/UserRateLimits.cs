using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// One token bucket per user on this instance, shared by that user's sockets: three devices (or one device reconnecting
/// over and over) get no more than one user's share. Idle buckets are dropped by the partitioned limiter itself.
/// </summary>
public sealed class UserRateLimits(IOptions<GatewayOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.UserCommandBurst,
            TokensPerPeriod = options.Value.UserCommandsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);

    public RateLimitLease Acquire(string userId) => _limiter.AttemptAcquire(userId);

    public void Dispose() => _limiter.Dispose();
}
