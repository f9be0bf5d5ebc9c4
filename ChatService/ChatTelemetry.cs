using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Natter.ChatService;

/// <summary>Traces and metrics of the chat service ("Natter.Chat"; ServiceDefaults exports Natter.*).</summary>
public static class ChatTelemetry
{
    public const string Name = "Natter.Chat";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> MessagesAccepted =
        Meter.CreateCounter<long>("natter.chat.messages.accepted", description: "Messages durably written to every recipient inbox");

    public static readonly Counter<long> InboxEntriesWritten =
        Meter.CreateCounter<long>("natter.chat.inbox.entries.written", description: "Per-device inbox entries written");

    public static readonly Histogram<double> SendDuration =
        Meter.CreateHistogram<double>("natter.chat.send.duration", "ms", "Actor turn time of sendMessage, inbox write included");

    public static readonly Counter<long> DeliveriesSkipped =
        Meter.CreateCounter<long>("natter.chat.deliveries.skipped", description: "Live deliveries not published because the queue was full; they wait in their inboxes");

    public static readonly Histogram<long> DeliveryRoundCommits =
        Meter.CreateHistogram<long>("natter.chat.delivery.round.commits", description: "Commits whose deliveries shared one publishing round");

    // Push notifications.
    public static readonly Counter<long> PushRequests =
        Meter.CreateCounter<long>("natter.chat.push.requests", description: "Offline devices handed to the push sender");
}
