using System.Text.Json;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

[Collection(NatterAppCollection.Name)]
public sealed class ProtocolTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Bad_frames_get_specific_error_codes_and_the_connection_survives()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var chat = await a.CreateChatAsync([bob]);
        using var cts = new CancellationTokenSource(WaitTimeout);

        await a.SendTextAsync("{not json");
        Assert.Equal(ErrorCodes.BadJson, (await a.Errors.ReadAsync(cts.Token)).Code);
        await a.SendTextAsync("[1,2,3]");
        Assert.Equal(ErrorCodes.BadJson, (await a.Errors.ReadAsync(cts.Token)).Code);

        Assert.Equal(ErrorCodes.UnknownCommand, Code(await a.RequestRawAsync("launchRockets", _ => { })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await a.RequestRawAsync(FrameTypes.SendMessage, w => w.WriteNumber("chatId", 42))));
        Assert.Equal(ErrorCodes.InvalidField, Code(await a.RequestRawAsync(FrameTypes.SendMessage, w => w.WriteString("chatId", chat.ChatId))));
        Assert.Equal(ErrorCodes.InvalidField, Code(await a.RequestRawAsync(FrameTypes.CreateChat, w => w.WriteString("participants", "bob"))));
        Assert.Equal(ErrorCodes.InvalidField, Code(await a.RequestRawAsync(FrameTypes.ModifyChatParticipants, w =>
        {
            w.WriteString("chatId", chat.ChatId);
            w.WriteString("userId", bob);
            w.WriteString("operation", "PROMOTE");
        })));
        Assert.Equal(ErrorCodes.InvalidField, Code(await a.RequestRawAsync(FrameTypes.Received, w => w.WriteString("deliveryId", "someone-else:1"))));

        var tooLarge = await a.SendMessageAsync(chat.ChatId, new string('x', 64 * 1024 + 1));
        Assert.Equal(ErrorCodes.MessageTooLarge, tooLarge.Code);
        var unknownChat = await a.SendMessageAsync(Guid.NewGuid().ToString(), "anyone?");
        Assert.Equal(ErrorCodes.UnknownChat, unknownChat.Code);
        var tooManyAttachments = await a.SendMessageAsync(chat.ChatId, "pics", [.. Enumerable.Range(0, 11).Select(i => $"att-{i}")]);
        Assert.Equal(ErrorCodes.TooManyAttachments, tooManyAttachments.Code);

        var fine = await a.SendMessageAsync(chat.ChatId, "still here");
        Assert.Equal(SendStatus.Success, fine.Status);
        Assert.Equal(1, fine.Seq);
    }

    [Fact]
    public async Task A_frame_over_the_limit_closes_the_socket_with_1009()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));

        await a.SendTextAsync($"{{\"type\":\"sendMessage\",\"message\":\"{new string('x', 600 * 1024)}\"}}");

        await WaitUntilAsync(() => Task.FromResult(a.LastClose is not null), "the gateway closes the socket");
        Assert.Equal(CloseCodes.MessageTooBig, a.LastClose!.Code);
    }

    [Fact]
    public async Task Commands_beyond_the_rate_limit_are_refused_with_rate_limited()
    {
        await using var a = await _harness.ConnectReadyAsync(NewId("alice"), NewId("a1"));

        // A command that needs no backend answers at once, so the burst arrives faster than the bucket refills.
        var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => a.RequestRawAsync("noSuchCommand", _ => { })));

        var codes = answers.Select(Code).ToList();
        Assert.Contains(ErrorCodes.RateLimited, codes);
        Assert.Contains(ErrorCodes.UnknownCommand, codes);
    }

    private static string? Code(JsonElement answer) =>
        answer.GetProperty("type").GetString() == FrameTypes.Error ? answer.GetProperty("code").GetString() : null;
}
