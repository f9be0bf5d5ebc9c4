using System.Text;
using System.Text.Json;
using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Tests.Infrastructure;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Tests;

/// <summary>Client ids and numbers are checked before any of them reaches an actor id, a URL path or a state key.</summary>
[Collection(GatewayBackendsCollection.Name)]
public sealed class CommandValidationTests(GatewayBackends backends)
{
    private const string ChatId = "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d";

    public static TheoryData<string> BadIds => ["a/b", "a?b", "a#b", "a%2Fb", "..", ".", "a b", "a\u0000b", "a\nb", "a|b", "ü", "\u202e", ""];

    private async Task<object> DispatchAsync(string json)
    {
        var (frame, error) = FrameReader.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(error);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await backends.Dispatcher.DispatchAsync(GatewayBackends.Who, frame!, cts.Token);
    }

    private static string Json(object frame) => JsonSerializer.Serialize(frame);

    private static (string? Code, string? Message) Refusal(object answer) => answer switch
    {
        ErrorFrame e => (e.Code, e.Message),
        SendMessageResult { Status: SendStatus.Failure } r => (r.Code, r.Message),
        _ => (null, null),
    };

    private static void AssertInvalidField(object answer, string field)
    {
        var (code, message) = Refusal(answer);
        Assert.True(code == ErrorCodes.InvalidField, $"expected invalid_field naming {field}, got {JsonSerializer.Serialize(answer, answer.GetType(), NatterJson.Options)}");
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task A_chat_id_that_is_not_a_server_issued_id_gets_invalid_field(string chatId)
    {
        AssertInvalidField(await DispatchAsync(Json(new { type = "sendMessage", requestId = "r1", chatId, message = "hi" })), "chatId");
        AssertInvalidField(await DispatchAsync(Json(new { type = "getChat", requestId = "r2", chatId })), "chatId");
        AssertInvalidField(await DispatchAsync(Json(new { type = "modifyChatParticipants", requestId = "r3", chatId, userId = "bob", operation = "ADD" })), "chatId");
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("0193b0a4-7d3e-7a1b-9c2d")]
    [InlineData("{0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d}")]
    public async Task A_chat_id_is_a_guid_in_its_36_character_form(string chatId) =>
        AssertInvalidField(await DispatchAsync(Json(new { type = "getChat", requestId = "r1", chatId })), "chatId");

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Every_other_id_that_lands_in_a_path_or_key_is_checked_and_named(string id)
    {
        AssertInvalidField(await DispatchAsync(Json(new { type = "createChat", requestId = "r1", participants = new[] { "bob", id } })), "participants");
        AssertInvalidField(await DispatchAsync(Json(new { type = "modifyChatParticipants", requestId = "r2", chatId = ChatId, userId = id, operation = "ADD" })), "userId");
        AssertInvalidField(await DispatchAsync(Json(new { type = "sendMessage", requestId = "r3", chatId = ChatId, message = "hi", attachments = new[] { id } })), "attachments");
        AssertInvalidField(await DispatchAsync(Json(new { type = "deactivateClient", requestId = "r5", clientId = id })), "clientId");
        if (id.Length > 0)
        {
            AssertInvalidField(await DispatchAsync(Json(new { type = "sendMessage", requestId = "r4", chatId = ChatId, message = "hi", clientMessageId = id })), "clientMessageId");
        }
    }

    [Fact]
    public async Task Well_formed_ids_reach_the_chat_service()
    {
        var created = await DispatchAsync(Json(new { type = "createChat", requestId = "r1", participants = new[] { "bob", "carol.smith", "dave_2", "eve@example.org", "m:1", "x~y" } }));
        Assert.IsType<CreateChatResult>(created);
        var sent = await DispatchAsync(Json(new
        {
            type = "sendMessage", requestId = "r2", chatId = ChatId, message = "hi",
            attachments = new[] { "5c1e0c2b8d5a4f1e9b7c6d5e4f3a2b1c" }, clientMessageId = "c-42",
        }));
        Assert.Equal(SendStatus.Success, Assert.IsType<SendMessageResult>(sent).Status);
        Assert.IsType<GetChatResult>(await DispatchAsync(Json(new { type = "getChat", requestId = "r3", chatId = ChatId.ToUpperInvariant() })));
    }

    [Theory]
    [InlineData("\"10\"")]
    [InlineData("10.5")]
    [InlineData("true")]
    [InlineData("[10]")]
    public async Task CreateAttachment_size_must_be_a_json_integer(string size)
    {
        var answer = await DispatchAsync($"{{\"type\":\"createAttachment\",\"requestId\":\"r1\",\"hash\":\"{new string('a', 64)}\",\"size\":{size},\"contentType\":\"image/png\"}}");

        AssertInvalidField(answer, "size");
    }
}
