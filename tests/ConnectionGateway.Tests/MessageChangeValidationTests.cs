using System.Text;
using System.Text.Json;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Tests;

/// <summary>editMessage, deleteMessage, react and replyTo: malformed fields are refused before any backend call.</summary>
public sealed class MessageChangeValidationTests
{
    private const string ChatId = "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d";
    private const string MessageId = "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8e";

    private static ParsedFrame Frame(object frame)
    {
        var (parsed, error) = FrameReader.Parse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)));
        Assert.Null(error);
        return parsed!;
    }

    public static TheoryData<string> BadMessageIds => ["m1", "../x", "a|b", "", "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8e|x"];

    [Theory]
    [MemberData(nameof(BadMessageIds))]
    public void A_message_id_that_was_never_issued_is_invalid_everywhere(string messageId)
    {
        Assert.Equal(ErrorCodes.InvalidField, MessageChangeBinder.EditMessage(Frame(new { type = "editMessage", chatId = ChatId, messageId, message = "x" })).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidField, MessageChangeBinder.DeleteMessage(Frame(new { type = "deleteMessage", chatId = ChatId, messageId })).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidField, MessageChangeBinder.React(Frame(new { type = "react", chatId = ChatId, messageId, emoji = "👍" })).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidField, CommandBinder.SendMessage(Frame(new { type = "sendMessage", chatId = ChatId, message = "x", replyTo = messageId })).Error?.Code);
    }

    [Fact]
    public void Ill_typed_fields_are_invalid_and_name_the_field()
    {
        var edit = MessageChangeBinder.EditMessage(Frame(new { type = "editMessage", chatId = ChatId, messageId = MessageId, message = 5 })).Error;
        var react = MessageChangeBinder.React(Frame(new { type = "react", chatId = ChatId, messageId = MessageId, emoji = new[] { "👍" } })).Error;

        Assert.Equal(ErrorCodes.InvalidField, edit?.Code);
        Assert.Contains("message", edit!.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidField, react?.Code);
        Assert.Contains("emoji", react!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void React_needs_emoji_present_null_removes_and_missing_is_a_mistake()
    {
        var missing = MessageChangeBinder.React(Frame(new { type = "react", chatId = ChatId, messageId = MessageId }));
        var (remove, error) = MessageChangeBinder.React(Frame(new { type = "react", chatId = ChatId, messageId = MessageId, emoji = (string?)null }));

        Assert.Equal(ErrorCodes.InvalidField, missing.Error?.Code);
        Assert.Null(error);
        Assert.Null(remove!.Emoji);
    }

    [Fact]
    public void A_well_formed_reply_binds()
    {
        var (command, error) = CommandBinder.SendMessage(Frame(new { type = "sendMessage", chatId = ChatId, message = "yes", replyTo = MessageId }));

        Assert.Null(error);
        Assert.Equal(MessageId, command!.ReplyTo);
    }
}
