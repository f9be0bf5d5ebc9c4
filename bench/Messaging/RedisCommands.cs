using Aspire.Hosting;
using Aspire.Hosting.Testing;
using StackExchange.Redis;

namespace Natter.Benchmarks.Messaging;

/// <summary>
/// Redis's own count of the commands it ran (INFO commandstats), read before and after a window: store calls per
/// message, exact where CPU figures are noisy. Every state and pub/sub call of the sidecars ends in one or more of these.
/// </summary>
public static class RedisCommands
{
    public static async Task<IReadOnlyDictionary<string, long>> CountAsync(DistributedApplication app)
    {
        var endpoint = app.GetEndpoint("redis", "tcp");
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{endpoint.Host}:{endpoint.Port},allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_evalsha: calls=123,usec=456,...
                var calls = value.Split(',')[0];
                counts[key.Replace("cmdstat_", "", StringComparison.Ordinal)] = long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return counts;
    }

    /// <summary>Per message, the commands that moved between the two counts, most first.</summary>
    public static IEnumerable<(string Command, double PerMessage)> PerMessage(
        IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, long messages) =>
        after.Select(a => (a.Key, (a.Value - before.GetValueOrDefault(a.Key)) / (double)Math.Max(1, messages)))
            .Where(c => c.Item2 > 0)
            .OrderByDescending(c => c.Item2);
}
