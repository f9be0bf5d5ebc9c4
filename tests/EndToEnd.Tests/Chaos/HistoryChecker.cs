using System.Globalization;
using System.Text;

namespace Natter.Chaos;

/// <summary>
/// Reads a complete chaos log and checks the promises of docs/PROTOCOL.md against it:
/// - lost: a SUCCESS-acknowledged message missing from a device of a member (every device stays registered here);
/// - duplicate seq: two messageIds with the same seq in one chat;
/// - order: a device surfaced a chat's messages out of seq order;
/// - false FAILURE: a FAILURE answer for a clientMessageId whose message was stored after all;
/// - double store: one clientMessageId stored under two messageIds (the dedupe failed).
/// Duplicate deliveries are allowed and only counted. Availability and latency are figures, never pass/fail.
/// </summary>
public static class HistoryChecker
{
    public static ChaosReport Check(ChaosLog log, ChaosTopology topology)
    {
        // The acknowledged messages: the first SUCCESS answer of each clientMessageId.
        var acked = log.Attempts.Where(a => a.Outcome == SendOutcome.Success)
            .GroupBy(a => a.ClientMessageId, StringComparer.Ordinal)
            .Select(g => g.OrderBy(a => a.EndMs).First())
            .ToList();
        var firstAttempt = log.Attempts.GroupBy(a => a.ClientMessageId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(a => a.StartMs), StringComparer.Ordinal);
        var deliveredTo = log.Deliveries.GroupBy(d => d.MessageId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(d => d.Device).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var lost = new List<LostMessage>();
        foreach (var ack in acked)
        {
            var have = deliveredTo.GetValueOrDefault(ack.MessageId!) ?? [];
            foreach (var device in topology.Recipients(ack.ChatId, ack.Device).Where(d => !have.Contains(d)))
            {
                lost.Add(new LostMessage(ack.MessageId!, ack.ClientMessageId, ack.ChatId, ack.Seq ?? 0, ack.Device, device, ack.EndMs,
                    FaultAt(log.Faults, ack.EndMs)));
            }
        }

        // Every (chat, seq) the system named, from answers and from deliveries, must name one message.
        var named = acked.Select(a => (a.ChatId, Seq: a.Seq ?? 0, MessageId: a.MessageId!))
            .Concat(log.Deliveries.Select(d => (d.ChatId, d.Seq, d.MessageId)));
        var duplicateSeqs = named.GroupBy(n => (n.ChatId, n.Seq))
            .Select(g => (g.Key, Ids: g.Select(n => n.MessageId).Distinct(StringComparer.Ordinal).ToList()))
            .Where(g => g.Ids.Count > 1)
            .Select(g => new DuplicateSeq(g.Key.ChatId, g.Key.Seq, g.Ids))
            .ToList();

        var orderViolations = new List<OrderViolation>();
        foreach (var stream in log.Deliveries.GroupBy(d => (d.Device, d.ChatId)))
        {
            long previous = 0;
            foreach (var delivery in stream.OrderBy(d => d.AtMs))
            {
                if (delivery.Seq <= previous)
                {
                    orderViolations.Add(new OrderViolation(delivery.Device, delivery.ChatId, previous, delivery.Seq, delivery.MessageId, delivery.AtMs));
                }
                previous = Math.Max(previous, delivery.Seq);
            }
        }

        // The sender puts its clientMessageId in the text, so a delivery names the clientMessageId it came from.
        var storedAs = acked.Select(a => (Cmid: a.ClientMessageId, Id: a.MessageId!))
            .Concat(log.Deliveries.Select(d => (Cmid: d.Text, Id: d.MessageId)))
            .GroupBy(x => x.Cmid, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Id).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var falseFailures = log.Attempts.Where(a => a.Outcome == SendOutcome.Failure && storedAs.ContainsKey(a.ClientMessageId))
            .Select(a => new FalseFailure(a.ClientMessageId, a.ChatId, a.Device, a.Code, storedAs[a.ClientMessageId]))
            .ToList();
        var doubleStores = storedAs.Where(s => s.Value.Count > 1).Select(s => new DoubleStore(s.Key, s.Value)).ToList();

        var ackedCmids = acked.Select(a => a.ClientMessageId).ToHashSet(StringComparer.Ordinal);
        var failedCmids = log.Attempts.Where(a => a.Outcome == SendOutcome.Failure).Select(a => a.ClientMessageId).ToHashSet(StringComparer.Ordinal);
        var unresolved = firstAttempt.Keys.Count(c => !ackedCmids.Contains(c) && !failedCmids.Contains(c));

        var availability = log.Faults.Select(f => Availability(f, log.Attempts)).ToList();
        var calm = acked.Where(a => !Overlaps(log.Faults, firstAttempt[a.ClientMessageId], a.EndMs)).ToList();
        var sendLatencies = calm.Select(a => a.EndMs - firstAttempt[a.ClientMessageId]).ToList();
        var deliveriesOf = log.Deliveries.ToLookup(d => d.MessageId, StringComparer.Ordinal);
        var deliveryLatencies = calm.SelectMany(a => deliveriesOf[a.MessageId!]
                .Where(d => !Overlaps(log.Faults, firstAttempt[a.ClientMessageId], d.AtMs))
                .Select(d => d.AtMs - firstAttempt[a.ClientMessageId]))
            .ToList();

        return new ChaosReport(
            Acknowledged: acked.Count,
            Attempts: log.Attempts.Count,
            Failures: log.Attempts.Count(a => a.Outcome == SendOutcome.Failure),
            Unresolved: unresolved,
            Deliveries: log.Deliveries.Count,
            DuplicateDeliveries: log.DuplicatesByDevice.Values.Sum(),
            Lost: lost,
            DuplicateSeqs: duplicateSeqs,
            OrderViolations: orderViolations,
            FalseFailures: falseFailures,
            DoubleStores: doubleStores,
            UnrecoveredFaults: [.. log.Faults.Where(f => !f.Recovered)],
            Availability: availability,
            SendP99Ms: Percentile(sendLatencies, 0.99),
            SendP50Ms: Percentile(sendLatencies, 0.50),
            DeliveryP99Ms: Percentile(deliveryLatencies, 0.99),
            CalmMessages: calm.Count);
    }

    private static FaultAvailability Availability(FaultWindow fault, IReadOnlyList<SendAttempt> attempts)
    {
        var during = attempts.Where(a => a.StartMs >= fault.StartMs && a.StartMs < fault.EndMs).ToList();
        var firstSuccess = attempts.Where(a => a.Outcome == SendOutcome.Success && a.StartMs >= fault.StartMs)
            .Select(a => a.EndMs).DefaultIfEmpty(double.NaN).Min();
        var answers = string.Join(", ", during.Where(a => a.Outcome != SendOutcome.Success)
            .GroupBy(a => $"{a.Outcome} {a.Code}".Trim()).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));
        var slowest = during.Select(a => a.EndMs - a.StartMs).DefaultIfEmpty(0).Max() / 1000;
        return new FaultAvailability(fault.Name, (fault.EndMs - fault.StartMs) / 1000, during.Count,
            during.Count(a => a.Outcome == SendOutcome.Success), (firstSuccess - fault.StartMs) / 1000, slowest, answers);
    }

    private static string FaultAt(IReadOnlyList<FaultWindow> faults, double ms) =>
        faults.FirstOrDefault(f => f.StartMs <= ms && ms <= f.EndMs)?.Name ?? "none";

    private static bool Overlaps(IReadOnlyList<FaultWindow> faults, double fromMs, double toMs) =>
        faults.Any(f => f.StartMs <= toMs && fromMs <= f.EndMs);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
    }
}

public sealed record LostMessage(string MessageId, string ClientMessageId, string ChatId, long Seq, string Sender, string Device, double AckedAtMs, string DuringFault);

public sealed record DuplicateSeq(string ChatId, long Seq, IReadOnlyList<string> MessageIds);

public sealed record OrderViolation(string Device, string ChatId, long PreviousSeq, long Seq, string MessageId, double AtMs);

public sealed record FalseFailure(string ClientMessageId, string ChatId, string Device, string? Code, IReadOnlyList<string> StoredAs);

public sealed record DoubleStore(string ClientMessageId, IReadOnlyList<string> MessageIds);

/// <summary>Sends started inside the fault's window, how many got SUCCESS at once, and how long until the first SUCCESS.</summary>
/// Slowest: the longest single attempt (a paused process shows here: its attempts succeed, late). OtherAnswers: what the
/// attempts that did not succeed got, by outcome and code.
public sealed record FaultAvailability(
    string Fault, double WindowSeconds, int Attempts, int Successes, double FirstSuccessAfterSeconds, double SlowestAttemptSeconds, string OtherAnswers)
{
    public double Percent => Attempts == 0 ? double.NaN : 100.0 * Successes / Attempts;
}

public sealed record ChaosReport(
    int Acknowledged, int Attempts, int Failures, int Unresolved, int Deliveries, int DuplicateDeliveries,
    IReadOnlyList<LostMessage> Lost, IReadOnlyList<DuplicateSeq> DuplicateSeqs, IReadOnlyList<OrderViolation> OrderViolations,
    IReadOnlyList<FalseFailure> FalseFailures, IReadOnlyList<DoubleStore> DoubleStores, IReadOnlyList<FaultWindow> UnrecoveredFaults,
    IReadOnlyList<FaultAvailability> Availability, double SendP99Ms, double SendP50Ms, double DeliveryP99Ms, int CalmMessages)
{
    /// <summary>The targets: 0 lost, 0 duplicate seq, 0 order violations, 0 false FAILURE, no double store, every fault recovered.</summary>
    public bool Passed => Lost.Count == 0 && DuplicateSeqs.Count == 0 && OrderViolations.Count == 0
        && FalseFailures.Count == 0 && DoubleStores.Count == 0 && UnrecoveredFaults.Count == 0;

    public string Describe()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"acknowledged {Acknowledged} of {Attempts} attempts; FAILURE {Failures}; unresolved at the end {Unresolved}; deliveries {Deliveries}; duplicate deliveries {DuplicateDeliveries}");
        text.AppendLine(c, $"lost {Lost.Count}; duplicate seq {DuplicateSeqs.Count}; order violations {OrderViolations.Count}; false FAILURE {FalseFailures.Count}; double stores {DoubleStores.Count}; unrecovered faults {UnrecoveredFaults.Count}");
        text.AppendLine(c, $"outside faults ({CalmMessages} messages): send p50 {SendP50Ms:F0} ms, p99 {SendP99Ms:F0} ms; delivery p99 {DeliveryP99Ms:F0} ms");
        foreach (var a in Availability)
        {
            text.AppendLine(c, $"  fault {a.Fault}: window {a.WindowSeconds:F1} s, {a.Successes}/{a.Attempts} attempts succeeded ({a.Percent:F0}%), first SUCCESS after {a.FirstSuccessAfterSeconds:F1} s, slowest attempt {a.SlowestAttemptSeconds:F1} s; others: {a.OtherAnswers}");
        }
        foreach (var f in UnrecoveredFaults)
        {
            text.AppendLine(c, $"  NOT RECOVERED: {f.Name} at {f.StartMs / 1000:F1}-{f.EndMs / 1000:F1} s: {f.Detail}");
        }
        foreach (var l in Lost.Take(50))
        {
            text.AppendLine(c, $"  LOST {l.MessageId} (cmid {l.ClientMessageId}, chat {l.ChatId}, seq {l.Seq}, from {l.Sender}) at {l.Device}; acked at {l.AckedAtMs / 1000:F1} s during fault {l.DuringFault}");
        }
        foreach (var d in DuplicateSeqs.Take(50))
        {
            text.AppendLine(c, $"  DUPLICATE SEQ chat {d.ChatId} seq {d.Seq}: {string.Join(", ", d.MessageIds)}");
        }
        foreach (var o in OrderViolations.Take(50))
        {
            text.AppendLine(c, $"  ORDER {o.Device} chat {o.ChatId}: seq {o.Seq} ({o.MessageId}) after seq {o.PreviousSeq} at {o.AtMs / 1000:F1} s");
        }
        foreach (var f in FalseFailures.Take(50))
        {
            text.AppendLine(c, $"  FALSE FAILURE cmid {f.ClientMessageId} ({f.Code}) from {f.Device} in chat {f.ChatId}, stored as {string.Join(", ", f.StoredAs)}");
        }
        foreach (var d in DoubleStores.Take(50))
        {
            text.AppendLine(c, $"  DOUBLE STORE cmid {d.ClientMessageId}: {string.Join(", ", d.MessageIds)}");
        }
        return text.ToString();
    }
}
