using System.Text.Json.Serialization;

namespace Natter.Contracts;

// Typing indicators, presence and last seen, and the presence privacy setting (docs/PROTOCOL.md §12).

public static class TypingStates
{
    public const string Start = "start";
    public const string Stop = "stop";
}

public sealed record TypingCommand(string? ChatId, string? State);

public sealed record GetPresenceCommand(IReadOnlyList<string>? UserIds);

/// <summary>Each field that is present replaces the stored setting; absent fields stay as they are.</summary>
public sealed record UpdateSettingsCommand(bool? ReadReceipts, bool? ShowPresence);

/// <summary>A live push: someone in the chat started or stopped typing. Never stored, never acknowledged.</summary>
public sealed record TypingFrame(string ChatId, string UserId, string State, long ExpiresInMs)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.Typing;
}

/// <summary>Forwarded is false when the rate limit dropped the signal (a repeated start, or a stop with nothing showing).</summary>
public sealed record TypingResult(string? RequestId, string ChatId, string State, bool Forwarded)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.Typing);
}

/// <summary>Either Online is true, or LastSeen (Unix ms) says when the user's last device went away.</summary>
public sealed record PresenceInfo(string UserId, bool Online, long? LastSeen);

/// <summary>Only users the caller may see appear: a user not sharing a chat, hidden, or never seen is simply absent.</summary>
public sealed record GetPresenceResult(string? RequestId, IReadOnlyList<PresenceInfo> Presence)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.GetPresence);
}

public sealed record UpdateSettingsResult(string? RequestId, bool ReadReceipts, bool ShowPresence)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.UpdateSettings);
}

/// <summary>Pub/sub topic per gateway instance for live-only signals: a sibling of deliveries-{instance}.</summary>
public static class LiveSignalTopics
{
    public static string ForInstance(string gatewayInstanceId) => $"signals-{gatewayInstanceId}";
}

/// <summary>
/// A frame to push to these devices' sockets, if they are held here, until ExpiresAt (Unix ms): a signal that pub/sub
/// redelivers late (a restarted gateway) is dropped instead of showing a stale "typing…". One typed field per kind of
/// signal, never a raw frame: whoever can publish on the topic can make a gateway push only frames of these shapes.
/// </summary>
public sealed record LiveSignal(IReadOnlyList<LiveTarget> Devices, long ExpiresAt, TypingFrame? Typing);

public sealed record LiveTarget(string UserId, string ClientId);
