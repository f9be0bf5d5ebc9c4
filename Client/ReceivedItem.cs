using Natter.Contracts;

namespace Natter.Client;

/// <summary>A pushed item: a new message, a chat update or a receipt, with the deliveryId to acknowledge.</summary>
public sealed record ReceivedItem(string Type, string DeliveryId, MessagePayload? Message, ChatUpdatePayload? ChatUpdate,
    ReceiptPayload? Receipt = null); // receipts: §9

/// <summary>The server answered a command with an error frame.</summary>
public sealed class NatterErrorException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}

/// <summary>The socket dropped before the answer arrived: the command may or may not have happened.</summary>
public sealed class NatterDisconnectedException(string message) : Exception(message);

/// <summary>How the last socket ended.</summary>
public sealed record CloseInfo(int? Code, string? Reason);
