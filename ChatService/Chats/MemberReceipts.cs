namespace Natter.ChatService.Chats;

/// <summary>
/// chat-receipts|{chatId}|{userId}: how far one member has received and read the chat, owned by the chat's actor.
/// One document per member, so a member's ack rewrites only its own marks, not the whole group's. Both marks only
/// grow and ReadUpTo ≤ DeliveredUpTo (reading implies delivery). The steps say when each mark passed which seq, for
/// message info; only the latest <see cref="ReceiptRules.MaxSteps"/> are kept, so an older message's time is the
/// oldest kept step's: an upper bound ("at or before").
/// </summary>
public sealed record MemberReceipts(long DeliveredUpTo, long ReadUpTo, IReadOnlyList<ReceiptStep> Delivered, IReadOnlyList<ReceiptStep> Read)
{
    public static readonly MemberReceipts None = new(0, 0, [], []);

    public static string Key(string chatId, string userId) => $"chat-receipts|{chatId}|{userId}";
}

/// <summary>At At (Unix ms) the mark moved up to UpTo.</summary>
public sealed record ReceiptStep(long UpTo, long At);
