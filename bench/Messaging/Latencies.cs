using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Natter.Client;

namespace Natter.Benchmarks.Messaging;

/// <summary>Send→receive latency: a message's text is its send time on this process's monotonic clock.</summary>
public static class Latencies
{
    /// <summary>Microseconds, up to 10 minutes, 3 significant digits.</summary>
    public static LongHistogram Histogram() => new(600_000_000, 3);

    public static async Task ReadAsync(NatterClient client, LongHistogram latency, Action? counted, CancellationToken ct)
    {
        try
        {
            await foreach (var item in client.Items.ReadAllAsync(ct))
            {
                if (item.Message is { } m && long.TryParse(m.Message, CultureInfo.InvariantCulture, out var sentAt))
                {
                    var micros = (long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds;
                    lock (latency)
                    {
                        latency.RecordValue(Math.Max(1, micros));
                    }
                    counted?.Invoke();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
