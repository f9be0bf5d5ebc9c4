using Natter.ChatService.Chats;
using Natter.Contracts;

namespace Natter.ChatService.Tests;

public sealed class ChatRulesTests
{
    private static ChatDocument Chat(params string[] members) => new("chat-1", null, members[0], members, 1, 0);

    [Fact]
    public void Creator_is_always_a_member_first_and_duplicates_are_ignored()
    {
        var members = ChatRules.InitialMembers("alice", ["bob", "alice", "bob", " ", "carol"]);

        Assert.Equal(["alice", "bob", "carol"], members);
    }

    [Fact]
    public void A_chat_holds_at_most_100_participants_creator_included()
    {
        var ninetyNine = Enumerable.Range(0, 99).Select(i => $"u{i}").ToList();

        Assert.Equal(100, ChatRules.InitialMembers("creator", ninetyNine)!.Count);
        Assert.Null(ChatRules.InitialMembers("creator", [.. ninetyNine, "one-too-many"]));
    }

    [Fact]
    public void Adding_to_a_full_chat_is_refused()
    {
        var full = Chat([.. Enumerable.Range(0, 100).Select(i => $"u{i}")]);

        var (members, error, _) = ChatRules.Modify(full, "u0", "newcomer", ParticipantOperations.Add);

        Assert.Null(members);
        Assert.Equal(ErrorCodes.TooManyParticipants, error);
    }

    [Fact]
    public void Members_may_add_and_non_members_may_not()
    {
        var chat = Chat("alice", "bob");

        Assert.Equal(["alice", "bob", "carol"], ChatRules.Modify(chat, "bob", "carol", ParticipantOperations.Add).Members);
        Assert.Equal(ErrorCodes.NotAMember, ChatRules.Modify(chat, "mallory", "mallory", ParticipantOperations.Add).Error);
    }

    [Fact]
    public void Anyone_may_leave_but_only_the_creator_removes_others()
    {
        var chat = Chat("alice", "bob", "carol");

        Assert.Equal(["alice", "carol"], ChatRules.Modify(chat, "bob", "bob", ParticipantOperations.Remove).Members);
        Assert.Equal(ErrorCodes.NotAllowed, ChatRules.Modify(chat, "bob", "carol", ParticipantOperations.Remove).Error);
        Assert.Equal(["alice", "bob"], ChatRules.Modify(chat, "alice", "carol", ParticipantOperations.Remove).Members);
    }

    [Fact]
    public void An_unknown_operation_is_an_invalid_field()
    {
        Assert.Equal(ErrorCodes.InvalidField, ChatRules.Modify(Chat("alice"), "alice", "bob", "PROMOTE").Error);
    }
}
