using System.Text.Json;
using Natter.Client;
using Natter.Contracts;
using Natter.EndToEnd.Tests.Messaging;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// The chat half of the authorisation matrix: each row is one attempt by someone who may not, answered with its
/// documented code, after which nothing was stored or delivered: the chat's seq did not move, membership is unchanged,
/// and the members' next item is the marker sent after the attempt.
/// </summary>
[Collection(NatterAppCollection.Name)]
public sealed class ChatAuthorizationMatrixTests(NatterAppFixture fixture)
{
    private readonly MessagingHarness _harness = new(fixture);

    /// <summary>alice created the chat with bob and carol; dave was removed; mallory was never a member.</summary>
    public sealed record World(NatterClient Alice, NatterClient Bob, NatterClient Carol, NatterClient Dave, NatterClient Mallory,
        string ChatId, string CarolId, string DaveId, string MalloryId, string BobPhone);

    private static readonly Dictionary<string, (string Code, Func<World, Task<string?>> Attempt)> Rows = new()
    {
        ["non-member sends"] = (ErrorCodes.NotAMember, async w => (await w.Mallory.SendMessageAsync(w.ChatId, "let me in")).Code),
        ["removed member sends"] = (ErrorCodes.NotAMember, async w => (await w.Dave.SendMessageAsync(w.ChatId, "still here?")).Code),
        ["non-member reads the chat"] = (ErrorCodes.NotAMember, w => CodeOf(w.Mallory, FrameTypes.GetChat, j => j.WriteString("chatId", w.ChatId))),
        ["removed member reads the chat"] = (ErrorCodes.NotAMember, w => CodeOf(w.Dave, FrameTypes.GetChat, j => j.WriteString("chatId", w.ChatId))),
        ["non-member adds themself"] = (ErrorCodes.NotAMember, w => Modify(w.Mallory, w.ChatId, w.MalloryId, ParticipantOperations.Add)),
        ["removed member adds themself back"] = (ErrorCodes.NotAMember, w => Modify(w.Dave, w.ChatId, w.DaveId, ParticipantOperations.Add)),
        ["non-member removes a member"] = (ErrorCodes.NotAMember, w => Modify(w.Mallory, w.ChatId, w.CarolId, ParticipantOperations.Remove)),
        ["non-creator removes another member"] = (ErrorCodes.NotAllowed, w => Modify(w.Bob, w.ChatId, w.CarolId, ParticipantOperations.Remove)),
        ["deactivating another user's client"] = (ErrorCodes.UnknownClient,
            w => CodeOf(w.Mallory, FrameTypes.DeactivateClient, j => j.WriteString("clientId", w.BobPhone))),
        ["acknowledging another client's delivery"] = (ErrorCodes.InvalidField,
            w => CodeOf(w.Mallory, FrameTypes.Received, j => j.WriteString("deliveryId", $"{w.BobPhone}:0"))),
    };

    public static TheoryData<string> RowNames => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task An_attempt_by_someone_who_may_not_is_refused_and_changes_nothing(string row)
    {
        var world = await ArrangeAsync();
        var before = await world.Alice.GetChatAsync(world.ChatId);
        var (expected, attempt) = Rows[row];

        var code = await attempt(world);

        Assert.Equal(expected, code);
        var after = await world.Alice.GetChatAsync(world.ChatId);
        Assert.Equal(before.LastSeq, after.LastSeq);
        Assert.Equal(before.Participants, after.Participants);
        var marker = await world.Alice.SendMessageAsync(world.ChatId, $"marker after {row}");
        foreach (var member in new[] { world.Bob, world.Carol })
        {
            var next = await NextAsync(member, i => i.Type is FrameTypes.NewMessage or FrameTypes.ChatUpdate);
            Assert.Equal(marker.MessageId, next.Message?.MessageId);
        }
        foreach (var client in new[] { world.Alice, world.Bob, world.Carol, world.Dave, world.Mallory })
        {
            await client.DisposeAsync();
        }
    }

    private async Task<World> ArrangeAsync()
    {
        string alice = NewId("alice"), bob = NewId("bob"), carol = NewId("carol"), dave = NewId("dave"), mallory = NewId("mallory");
        var bobPhone = NewId("bob-phone");
        var a = await _harness.ConnectReadyAsync(alice, NewId("a1"));
        var b = await _harness.ConnectReadyAsync(bob, bobPhone, autoAck: true, "gateway-b");
        var c = await _harness.ConnectReadyAsync(carol, NewId("c1"));
        var d = await _harness.ConnectReadyAsync(dave, NewId("d1"));
        var m = await _harness.ConnectReadyAsync(mallory, NewId("m1"), autoAck: true, "gateway-b");
        var chat = await a.CreateChatAsync([bob, carol, dave]);
        await a.ModifyChatParticipantsAsync(chat.ChatId, dave, ParticipantOperations.Remove);
        // Bob and carol have seen the creation and dave's removal: what they get next is what the row caused, if anything.
        foreach (var member in new[] { b, c })
        {
            await NextAsync(member, i => i.Type == FrameTypes.ChatUpdate && i.ChatUpdate!.Participants.Count == 3);
        }
        return new World(a, b, c, d, m, chat.ChatId, carol, dave, mallory, bobPhone);
    }

    private static Task<string?> Modify(NatterClient client, string chatId, string userId, string operation) =>
        CodeOf(client, FrameTypes.ModifyChatParticipants, j =>
        {
            j.WriteString("chatId", chatId);
            j.WriteString("userId", userId);
            j.WriteString("operation", operation);
        });

    private static async Task<string?> CodeOf(NatterClient client, string type, Action<Utf8JsonWriter> fields)
    {
        var answer = await client.RequestRawAsync(type, fields);
        return answer.GetProperty("type").GetString() == FrameTypes.Error ? answer.GetProperty("code").GetString() : null;
    }
}
