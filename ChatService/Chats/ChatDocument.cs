namespace Natter.ChatService.Chats;

/// <summary>
/// chat|{chatId}: the chat as its actor persists it, written in the same transaction as the inbox entries. Version
/// grows with every write; a commit is built from the stored document read in that same attempt and must find the
/// version this activation holds, so a stale activation (an old owner during a placement change, or one whose last
/// commit's reply was lost) can never commit.
/// </summary>
public sealed record ChatDocument(string ChatId, string? Name, string Creator, IReadOnlyList<string> Members, long NextSeq, long CreatedAt, long Version = 0,
    IReadOnlyDictionary<string, long>? LastSent = null) // receipts (§9): each member's latest seq
{
    public const int MaxParticipants = 100; // product limit, creator included

    public bool IsMember(string userId) => Members.Contains(userId, StringComparer.Ordinal);
}

/// <summary>The stored chat is not the one this activation holds: reload and decide again.</summary>
public sealed class StaleChatException() : Exception("the chat changed since this activation loaded it");
