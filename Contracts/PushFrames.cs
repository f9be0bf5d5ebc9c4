using System.Text.Json.Serialization;

namespace Natter.Contracts;

/// <summary>
/// registerPush: where this device's notifications go. Token is the push provider's device token (APNs, FCM, or a
/// gateway's own id); null clears it. The field must be present, so a client that forgets it never clears by accident.
/// </summary>
public sealed record RegisterPushCommand(string? Token);

public sealed record RegisterPushResult(string? RequestId, bool Registered)
{
    [JsonPropertyOrder(-1)] public string Type => FrameTypes.ResultOf(FrameTypes.RegisterPush);
}

/// <summary>The provider token's accepted form; checked by the gateway before anything is stored.</summary>
public static class PushTokens
{
    public const int MinLength = 8;   // shorter is no provider's token: a typo or a test value
    public const int MaxLength = 512; // FCM tokens are about 160 characters, APNs 64; room for a gateway's own ids

    public const string Form = "8 to 512 letters, digits or - _ : .";

    public static bool IsValid(string token) =>
        token.Length is >= MinLength and <= MaxLength && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.');
}

/// <summary>
/// The hand-off to the push sender: one batch per stored item, listing its recipient devices that had no live socket
/// and have a push token. It carries no message body, only which chat and how many items: the provider learns nothing.
/// </summary>
public static class PushTopics
{
    public const string PubSubName = DeliveryTopics.PubSubName;
    public const string Requests = "push-requests";
}

public sealed record PushBatch(IReadOnlyList<PushRequest> Requests);

public sealed record PushRequest(string UserId, string ClientId, string Token, string ChatId, int Count);
