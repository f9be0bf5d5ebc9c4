using System.Diagnostics;
using System.Text.Json;

namespace Natter.Chaos;

/// <summary>One sendMessage attempt and how it ended. Times are milliseconds since the run started (monotonic).</summary>
public sealed record SendAttempt(
    string ClientMessageId, string ChatId, string Device, int Attempt, double StartMs, double EndMs,
    SendOutcome Outcome, string? MessageId, long? Seq, string? Code);

public enum SendOutcome
{
    /// <summary>SUCCESS: the message is stored; this is the acknowledgement the checker holds the system to.</summary>
    Success,
    /// <summary>FAILURE: the server says nothing was stored. The sender gives this clientMessageId up.</summary>
    Failure,
    /// <summary>An error frame (unavailable, rate_limited, ...): outcome unknown, resent with the same clientMessageId.</summary>
    Error,
    /// <summary>No answer: the socket dropped or the request timed out. Outcome unknown, resent.</summary>
    NoAnswer,
}

/// <summary>A message a device's client surfaced (the client drops repeats of a messageId or deliveryId and counts them).</summary>
public sealed record Delivery(string Device, string ChatId, string MessageId, long Seq, string Text, double AtMs);

/// <summary>When a fault was injected and when the system counted as recovered from it.</summary>
public sealed record FaultWindow(string Name, double StartMs, double EndMs, bool Recovered, string Detail);

/// <summary>The complete log of a chaos run: every attempt, every delivery, every fault. Thread-safe; append-only.</summary>
public sealed class ChaosHistory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly List<SendAttempt> _attempts = [];
    private readonly List<Delivery> _deliveries = [];
    private readonly List<FaultWindow> _faults = [];
    private readonly Dictionary<string, int> _duplicates = new(StringComparer.Ordinal);

    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    public void Record(SendAttempt attempt)
    {
        lock (_lock) { _attempts.Add(attempt); }
    }

    public void Record(Delivery delivery)
    {
        lock (_lock) { _deliveries.Add(delivery); }
    }

    public void Record(FaultWindow fault)
    {
        lock (_lock) { _faults.Add(fault); }
    }

    /// <summary>Repeats the device's client suppressed (the same message under a second deliveryId).</summary>
    public void RecordDuplicates(string device, int count)
    {
        lock (_lock) { _duplicates[device] = count; }
    }

    public int DeliveryCount
    {
        get { lock (_lock) { return _deliveries.Count; } }
    }

    public ChaosLog Snapshot()
    {
        lock (_lock)
        {
            return new ChaosLog([.. _attempts], [.. _deliveries], [.. _faults], new Dictionary<string, int>(_duplicates));
        }
    }
}

/// <summary>A frozen copy of the history, which the checker reads.</summary>
public sealed record ChaosLog(
    IReadOnlyList<SendAttempt> Attempts, IReadOnlyList<Delivery> Deliveries, IReadOnlyList<FaultWindow> Faults,
    IReadOnlyDictionary<string, int> DuplicatesByDevice)
{
    /// <summary>One JSON object per line, so a run can be re-read and re-checked after the fact.</summary>
    public void WriteJsonLines(string path, ChaosTopology topology)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(JsonSerializer.Serialize(new { kind = "topology", topology }));
        foreach (var fault in Faults)
        {
            writer.WriteLine(JsonSerializer.Serialize(new { kind = "fault", fault }));
        }
        foreach (var attempt in Attempts)
        {
            writer.WriteLine(JsonSerializer.Serialize(new { kind = "attempt", attempt, outcome = attempt.Outcome.ToString() }));
        }
        foreach (var delivery in Deliveries)
        {
            writer.WriteLine(JsonSerializer.Serialize(new { kind = "delivery", delivery }));
        }
        writer.WriteLine(JsonSerializer.Serialize(new { kind = "duplicates", DuplicatesByDevice }));
    }
}

/// <summary>Who is in the run: devices as "user/client" keys, and each chat's members.</summary>
public sealed record ChaosTopology(IReadOnlyDictionary<string, string> UserOfDevice, IReadOnlyDictionary<string, IReadOnlyList<string>> MembersOfChat)
{
    /// <summary>Every device that must receive a message the given device sends in the chat: never the sender itself.</summary>
    public IEnumerable<string> Recipients(string chatId, string senderDevice)
    {
        var members = MembersOfChat[chatId].ToHashSet(StringComparer.Ordinal);
        return UserOfDevice.Where(d => members.Contains(d.Value) && d.Key != senderDevice).Select(d => d.Key);
    }
}
