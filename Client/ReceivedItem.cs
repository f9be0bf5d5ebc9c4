using Natter.Contracts;

namespace Natter.Client;

/// <summary>A pushed item: a new message, a chat update, a change to a message (§10) or a receipt (§9), with the deliveryId to acknowledge.</summary>
public sealed record ReceivedItem(
    string Type, string DeliveryId, MessagePayload? Message, ChatUpdatePayload? ChatUpdate,
    MessageEditedPayload? Edited = null, MessageDeletedPayload? Deleted = null, ReactionPayload? Reaction = null,
    ReceiptPayload? Receipt = null);

/// <summary>The server answered a command with an error frame.</summary>
public sealed class NatterErrorException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}

/// <summary>The socket dropped before the answer arrived: the command may or may not have happened.</summary>
public sealed class NatterDisconnectedException(string message) : Exception(message);

/// <summary>How the last socket ended.</summary>
public sealed record CloseInfo(int? Code, string? Reason);
