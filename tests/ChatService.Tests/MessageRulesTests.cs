using Natter.ChatService.Messages;
using Natter.Contracts;

namespace Natter.ChatService.Tests;

public sealed class MessageRulesTests
{
    private static readonly DateTimeOffset Sent = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static MessageRecord Record(string sender = "alice", IReadOnlyList<string>? attachments = null) =>
        new(Guid.CreateVersion7(Sent).ToString(), 7, sender, Sent.ToUnixTimeMilliseconds(), attachments ?? [], "hello");

    [Fact]
    public void The_sender_edits_until_15_minutes_after_the_server_accepted_the_message()
    {
        var justInside = MessageRules.Edit(Record(), "alice", "hello again", Sent + TimeSpan.FromMinutes(15));
        var justOutside = MessageRules.Edit(Record(), "alice", "too late", Sent + TimeSpan.FromMinutes(15) + TimeSpan.FromMilliseconds(1));

        Assert.Null(justInside.Result.Error);
        Assert.Equal("hello again", justInside.Updated!.Excerpt);
        Assert.Equal((Sent + TimeSpan.FromMinutes(15)).ToUnixTimeMilliseconds(), justInside.Updated.EditedAt);
        Assert.Equal(MessageChangeErrorCodes.EditWindowClosed, justOutside.Result.Error?.Code);
        Assert.Null(justOutside.Updated);
    }

    [Fact]
    public void Only_the_sender_edits_or_deletes()
    {
        Assert.Equal(ErrorCodes.NotAllowed, MessageRules.Edit(Record(), "bob", "mine now", Sent).Result.Error?.Code);
        Assert.Equal(ErrorCodes.NotAllowed, MessageRules.Delete(Record(), "bob", Sent).Result.Error?.Code);
    }

    [Fact]
    public void The_sender_deletes_for_everyone_until_48_hours_after_sending()
    {
        var inside = MessageRules.Delete(Record(attachments: ["att1"]), "alice", Sent + TimeSpan.FromHours(48));
        var outside = MessageRules.Delete(Record(), "alice", Sent + TimeSpan.FromHours(48) + TimeSpan.FromSeconds(1));

        Assert.Null(inside.Result.Error);
        Assert.True(inside.Updated!.IsDeleted);
        Assert.Equal("", inside.Updated.Excerpt);
        Assert.Equal(["att1"], inside.Updated.AttachmentIds); // kept, so a repeated delete can release them again
        Assert.Equal(MessageChangeErrorCodes.DeleteWindowClosed, outside.Result.Error?.Code);
    }

    [Fact]
    public void A_repeated_delete_succeeds_with_the_first_time_and_writes_nothing()
    {
        var deleted = MessageRules.Delete(Record(), "alice", Sent + TimeSpan.FromHours(1)).Updated!;

        var again = MessageRules.Delete(deleted, "alice", Sent + TimeSpan.FromDays(5));

        Assert.Null(again.Result.Error);
        Assert.Null(again.Updated);
        Assert.Equal(deleted.DeletedAt, again.Result.Value!.DeletedAt);
    }

    [Fact]
    public void A_deleted_message_cannot_be_edited_reacted_to_or_quoted()
    {
        var deleted = MessageRules.Delete(Record(), "alice", Sent).Updated!;

        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, MessageRules.Edit(deleted, "alice", "x", Sent).Result.Error?.Code);
        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, MessageRules.React(deleted, "bob", "👍").Result.Error?.Code);
        Assert.Equal(MessageChangeErrorCodes.MessageDeleted, MessageRules.Quote(deleted).Refusal?.Code);
    }

    [Fact]
    public void An_unknown_message_is_refused_for_every_change()
    {
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, MessageRules.Edit(null, "alice", "x", Sent).Result.Error?.Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, MessageRules.Delete(null, "alice", Sent).Result.Error?.Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, MessageRules.React(null, "alice", "👍").Result.Error?.Code);
        Assert.Equal(MessageChangeErrorCodes.UnknownMessage, MessageRules.Quote(null).Refusal?.Code);
    }

    [Fact]
    public void A_reaction_is_replaced_removed_and_a_repeat_writes_nothing()
    {
        var liked = MessageRules.React(Record(), "bob", "👍").Updated!;
        var same = MessageRules.React(liked, "bob", "👍");
        var replaced = MessageRules.React(liked, "bob", "❤️").Updated!;
        var removed = MessageRules.React(replaced, "bob", null).Updated!;
        var removeAgain = MessageRules.React(removed, "bob", null);

        Assert.Equal("👍", liked.Reactions!["bob"]);
        Assert.Null(same.Updated);
        Assert.Equal("❤️", replaced.Reactions!["bob"]);
        Assert.Single(replaced.Reactions);
        Assert.Null(removed.Reactions);
        Assert.Null(removeAgain.Updated);
        Assert.Null(removeAgain.Result.Error);
    }

    [Fact]
    public void A_reply_quotes_the_sender_and_the_start_of_the_text()
    {
        var record = MessageRecord.ForSent(new MessagePayload("c", "m", 3, "alice", new string('a', 150), [], 0));

        var (quote, error) = MessageRules.Quote(record);

        Assert.Null(error);
        Assert.Equal("alice", quote!.UserId);
        Assert.Equal(MessageRecord.ExcerptLength, quote.Excerpt.Length);
    }

    [Fact]
    public void The_excerpt_never_cuts_an_emoji_in_half()
    {
        var text = new string('a', MessageRecord.ExcerptLength - 1) + "👨‍👩‍👧" + "tail";

        Assert.EndsWith("👨‍👩‍👧", MessageRecord.ExcerptOf(text), StringComparison.Ordinal);
    }

    [Fact]
    public void A_rewrite_keeps_the_record_to_30_days_after_the_send()
    {
        var record = Record();

        Assert.Equal("86400", record.RemainingTtl(Sent + TimeSpan.FromDays(29))!["ttlInSeconds"]);
        Assert.Null(record.RemainingTtl(Sent + TimeSpan.FromDays(30)));
    }
}
