namespace Natter.ChatService.Chats;

/// <summary>chat|{chatId}: the chat as its actor persists it (written in the same transaction as the inbox entries).</summary>
public sealed record ChatDocument(string ChatId, string? Name, string Creator, IReadOnlyList<string> Members, long NextSeq, long CreatedAt)
{
    public const int MaxParticipants = 100; // product limit, creator included

    public bool IsMember(string userId) => Members.Contains(userId, StringComparer.Ordinal);
}
