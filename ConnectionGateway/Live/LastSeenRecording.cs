using Natter.Inbox;

namespace Natter.ConnectionGateway.Live;

/// <summary>Writes last seen when a socket opens and when it ends; a failed write costs only accuracy, never the socket.</summary>
public sealed class LastSeenRecording(LastSeenStore lastSeen, TimeProvider time, ILogger<LastSeenRecording> logger)
{
    public async Task RecordAsync(string userId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await lastSeen.RecordAsync(userId, time.GetUtcNow().ToUnixTimeMilliseconds(), timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Recording last seen of user {UserId} failed", userId);
        }
    }
}
