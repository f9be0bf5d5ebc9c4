using Natter.Contracts;

namespace Natter.ChatService.Chats;

/// <summary>Who may do what to a chat. Pure functions: the actor applies them, unit tests pin them.</summary>
public static class ChatRules
{
    /// <summary>Creator first, duplicates and blanks dropped; null when the limit is exceeded.</summary>
    public static IReadOnlyList<string>? InitialMembers(string creator, IEnumerable<string> participants)
    {
        var members = new List<string> { creator };
        var seen = new HashSet<string>(StringComparer.Ordinal) { creator };
        foreach (var p in participants)
        {
            if (!string.IsNullOrWhiteSpace(p) && seen.Add(p))
            {
                members.Add(p);
            }
        }
        return members.Count > ChatDocument.MaxParticipants ? null : members;
    }

    /// <summary>The members after the change, or an error code and message.</summary>
    public static (IReadOnlyList<string>? Members, string? Error, string? Message) Modify(
        ChatDocument chat, string actor, string target, string operation)
    {
        var isMember = chat.IsMember(actor);
        switch (operation)
        {
            case ParticipantOperations.Add:
                if (!isMember)
                {
                    return (null, ErrorCodes.NotAMember, "only members may add participants");
                }
                if (chat.IsMember(target))
                {
                    return (chat.Members, null, null);
                }
                if (chat.Members.Count >= ChatDocument.MaxParticipants)
                {
                    return (null, ErrorCodes.TooManyParticipants, $"a chat has at most {ChatDocument.MaxParticipants} participants");
                }
                return ([.. chat.Members, target], null, null);
            case ParticipantOperations.Remove:
                if (!isMember)
                {
                    return (null, ErrorCodes.NotAMember, "only members may change participants");
                }
                if (target != actor && actor != chat.Creator)
                {
                    return (null, ErrorCodes.NotAllowed, "only the creator may remove others");
                }
                if (!chat.IsMember(target))
                {
                    return (chat.Members, null, null);
                }
                return ([.. chat.Members.Where(m => m != target)], null, null);
            default:
                return (null, ErrorCodes.InvalidField, "operation must be ADD or REMOVE");
        }
    }
}
