using System.Globalization;
using System.Text;
using HdrHistogram;

namespace Natter.Benchmarks.Messaging;

/// <summary>The messaging section of BENCHMARKS.md: the figures of issue 11, against its aims and its starting point.</summary>
public sealed class MessagingReport(string[] args, MessagingSettings settings, ulong fileLimit)
{
    public RelayFigures? Relay { get; set; }

    public NatterFigures? Natter { get; set; }

    public string LoadAtEnd { get; set; } = "";

    public string Markdown()
    {
        var relay = Relay!;
        var natter = Natter!;
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var loaded = relay.LoadAtStart > MachineLoad.Quiet || natter.LoadAtStart > MachineLoad.Quiet;
        text.AppendLine("## Messaging: Natter end to end, beside a bare WebSocket relay");
        text.AppendLine();
        text.AppendLine(c, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(c, $"- Machine: {BenchmarksMarkdown.Machine()}");
        text.AppendLine(c, $"- Command: `dotnet run -c Release --project bench -- messaging {string.Join(' ', args)}`");
        text.AppendLine(c, $"- 1-minute load average at the start: relay phase {relay.LoadAtStart:F2}, Natter phase {natter.LoadAtStart:F2}; at the end {LoadAtEnd}{(loaded ? ". **LOADED: a phase started above 1.5; these figures are not used.**" : "")}");
        text.AppendLine(c, $"- Tracing: {(settings.TraceRatio is { } r && r != "always" ? $"parent-based ratio sampler at {r} and metrics every 60 s, as production (deploy/kubernetes) would" : "every request (Aspire's development default, always_on)")}; traces and metrics exported over OTLP to the dashboard.");
        text.AppendLine(c, $"- Setup: {settings.Pairs} sender/receiver pairs, each pair its own chat, sender and receiver on different gateways (relay: one process). Load generator: the same NatterClient for both, open loop. Saturation: after a warm-up (relay: 5 s at 1,000 msg/s; Natter: {settings.NatterWarmup.TotalSeconds:F0} s at {settings.NatterStart} msg/s, until the services' JIT settles), the offered rate steps up by half every {settings.Step.TotalSeconds:F0} s (relay from 5,000 msg/s, Natter from {settings.NatterStart}) until a step no longer keeps up (≥ 95% delivered within the step, no failure, p99 < 1 s); saturated = the most delivered per second by any step. Open-file limit {fileLimit}.");
        text.AppendLine();
        text.AppendLine("| Figure | This run | Aim | Interim | Issue 11's starting point (2026-12-01) |");
        text.AppendLine("|---|---|---|---|---|");
        var ratio = relay.Saturated / Math.Max(1, natter.Saturated);
        text.AppendLine(c, $"| Saturated 1:1 throughput ÷ bare relay | {natter.Saturated:F0} ÷ {relay.Saturated:F0} msg/s = **1/{ratio:F1}** | ≥ 1/12 | ≥ 1/20 | 740 ÷ 57,000 = 1/77 |");
        text.AppendLine(c, $"| p50 / p99 / p99.9 send→receive at half of saturation ({natter.Half.Offered} msg/s) | {natter.Half.Ms(50):F1} / **{natter.Half.Ms(99):F1}** / {natter.Half.Ms(99.9):F1} ms | p99 ≤ 50 ms | p99 ≤ 100 ms | 173 / 279 / – ms at 500 msg/s |");
        text.AppendLine(c, $"| p50 / p99 / max at light load (30 msg/s, chats of 2–10, {natter.LightMessages} messages, {natter.Light.TotalCount} deliveries) | {Ms(natter.Light, 50):F1} / **{Ms(natter.Light, 99):F1}** / {natter.Light.GetMaxValue() / 1000.0:F1} ms | p99 ≤ 20 ms | p99 ≤ 50 ms | 15 / 294 / 498 ms |");
        text.AppendLine(c, $"| 100-member fan-out, p99 per delivery ({natter.FanOut.TotalCount} deliveries) | p50 {Ms(natter.FanOut, 50):F1}, **p99 {Ms(natter.FanOut, 99):F1} ms** | ≤ 50 ms | ≤ 100 ms | 50 ms |");
        text.AppendLine(c, $"| Drain of {settings.DrainCount} pending messages on reconnect | {natter.DrainSeconds:F2} s | – | – | 0.33 s |");
        text.AppendLine(c, $"| Idle CPU of the whole machine (AppHost up, no client, {natter.Idle.Seconds:F0} s) | **{natter.Idle.PercentOfOneCore:F1}% of one core** | ≤ 5% | ≤ 15% | about 30% |");
        var s = natter.Sockets;
        text.AppendLine(c, $"| Idle authenticated sockets on gateway-a (RSS growth ÷ sockets, held {s.Held_For.TotalSeconds:F0} s with leases and upkeep running, {s.SourceAddresses} loopback source addresses) | **{s.Held:N0} held at {s.KiBPerSocket:F1} KiB each** ({s.RssBeforeBytes / 1048576.0:F0} → {s.RssAfterBytes / 1048576.0:F0} MB){(s.Shortfall is { } why ? $" of {s.Requested:N0} asked for; {why}" : "")}; while held, the whole machine used {s.HeldCpu.PercentOfOneCore:F1}% of one core | 100,000 at ≤ 20 KiB | 50,000 at ≤ 40 KiB | 5,000 at about 90 KiB |");
        text.AppendLine();
        text.AppendLine("Saturation steps (offered → delivered per second within the step):");
        text.AppendLine();
        text.AppendLine("| System | Offered msg/s | Delivered msg/s | Failed | p50 ms | p99 ms | Kept up |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var (name, run) in relay.Steps.Select(x => ("relay", x)).Concat(natter.Steps.Select(x => ("Natter", x))))
        {
            text.AppendLine(c, $"| {name} | {run.Offered} | {run.Delivered:F0} | {run.Failed} | {run.Ms(50):F1} | {run.Ms(99):F1} | {(run.KeptUp ? "yes" : "no")} |");
        }
        text.AppendLine();
        text.AppendLine(c, $"CPU per message at half of saturation, from /proc (utime + stime of every process of each kind, divided by messages delivered in the window; relay at {relay.Half.Offered} msg/s, Natter at {natter.Half.Offered} msg/s), and idle CPU by kind:");
        text.AppendLine();
        text.AppendLine("| Process kind | Relay µs/msg | Natter µs/msg | Natter idle, % of one core |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var kind in ProcessCpu.Kinds)
        {
            text.AppendLine(c, $"| {kind} | {PerMessage(relay.Half, kind)} | {PerMessage(natter.Half, kind)} | {natter.Idle.CpuSeconds[kind] / natter.Idle.Seconds * 100:F1} |");
        }
        text.AppendLine(c, $"| **all** | {PerMessage(relay.Half, null)} | {PerMessage(natter.Half, null)} | {natter.Idle.CpuSeconds.Values.Sum() / natter.Idle.Seconds * 100:F1} |");
        text.AppendLine();
        text.AppendLine("\"load generator\" is the benchmark process: its clients and the in-process AppHost orchestrator. \"other\" is the media service and its sidecar, DCP, the dashboard and Azurite.");
        return text.ToString();
    }

    private static string PerMessage(LoadRun run, string? kind)
    {
        var seconds = kind is null ? run.CpuSeconds.Values.Sum() : run.CpuSeconds[kind];
        return run.ReceivedInWindow == 0 ? "–" : (seconds * 1e6 / run.ReceivedInWindow).ToString("F0", CultureInfo.InvariantCulture);
    }

    private static double Ms(LongHistogram h, double percentile) => h.TotalCount == 0 ? double.NaN : h.GetValueAtPercentile(percentile) / 1000.0;
}
