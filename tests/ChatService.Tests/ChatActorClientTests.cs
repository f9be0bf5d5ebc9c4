using System.Collections.Concurrent;
using System.Text.Json;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Natter.ChatService.Chats;
using Natter.Chats;
using Natter.Contracts;

namespace Natter.ChatService.Tests;

/// <summary>
/// The typed client is the caller's half of the actor call contract: the method names it sends and the result JSON it
/// reads must be what ChatActor registers and writes. A stand-in for the sidecar's actor API records what the SDK's
/// proxy sends under it.
/// </summary>
public sealed class ChatActorClientTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _calls = new();
    private WebApplication? _sidecar;
    private IActorProxyFactory? _proxies;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _sidecar = builder.Build();
        // PUT /v1.0/actors/{type}/{id}/method/{name}, as the proxy sends it (its path starts with a double slash).
        _sidecar.Run(async context =>
        {
            var path = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            _calls.Enqueue($"{context.Request.Method} {string.Join('/', path)}");
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}");
        });
        await _sidecar.StartAsync();
        _proxies = new ActorProxyFactory(new ActorProxyOptions { HttpEndpoint = _sidecar.Urls.Single() });
    }

    public async Task DisposeAsync()
    {
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_client_invokes_every_actor_method_by_the_name_ChatActor_registers()
    {
        IChatActor chat = new ChatActorClient(_proxies!, "chat-1");

        await chat.CreateAsync(new ChatCreateRequest("alice", ["bob"], null));
        await chat.SendAsync(new ChatSendRequest("alice", "phone", "hi", [], null));
        await chat.ModifyParticipantsAsync(new ChatModifyRequest("alice", "carol", ParticipantOperations.Add));
        await chat.GetAsync(new ChatGetRequest("alice"));
        await chat.EditMessageAsync(new ChatEditRequest("alice", "phone", "m-1", "hello"));
        await chat.DeleteMessageAsync(new ChatDeleteRequest("alice", "phone", "m-1"));
        await chat.ReactAsync(new ChatReactRequest("alice", "phone", "m-1", "👍"));
        await chat.ReceiptAsync(new ChatReceiptRequest("alice", 1, ReceiptStatus.Read));
        await chat.ReportDeliveredAsync(new ChatDeliveredRequest([new DeliveredMark("bob", 1)]));
        await chat.GetMessageInfoAsync(new ChatMessageInfoRequest("alice", "m-1"));

        // What the actor runtime dispatches on: the methods of ChatActor's actor interfaces, by name.
        var registered = ActorTypeInformation.Get(typeof(ChatActor), IChatActor.TypeName).InterfaceTypes
            .SelectMany(i => i.GetMethods()).Select(m => $"PUT v1.0/actors/ChatActor/chat-1/method/{m.Name}");
        Assert.Equal(registered.Order(StringComparer.Ordinal), _calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_client_passes_the_callers_cancellation_token_to_the_proxy()
    {
        var chat = new ChatActorClient(_proxies!, "chat-1");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat.GetAsync(new ChatGetRequest("alice"), cancelled.Token));
        Assert.Empty(_calls);
    }

    // The actor runtime writes results with its options and the proxy reads them with its own (both the SDK's defaults);
    // the test fake of the actor in ConnectionGateway.Tests answers with NatterJson's.
    public static TheoryData<string, JsonSerializerOptions, JsonSerializerOptions> WireOptions => new()
    {
        { "actor runtime to proxy", new ActorRuntimeOptions().JsonSerializerOptions, new ActorProxyOptions().JsonSerializerOptions },
        { "NatterJson", NatterJson.Options, NatterJson.Options },
    };

    [Theory]
    [MemberData(nameof(WireOptions))]
    public void A_chat_description_and_its_refusal_round_trip(string wire, JsonSerializerOptions writer, JsonSerializerOptions reader)
    {
        _ = wire; // names the case in the test's display name
        ChatResult<ChatDescription> described = new ChatDescription("chat-1", "Team", "alice", ["alice", "bob"], 7);
        ChatResult<ChatDescription> refused = new ChatError(ErrorCodes.NotAMember, "you are not a participant of this chat");

        var chat = RoundTrip(described, writer, reader);
        var refusal = RoundTrip(refused, writer, reader);

        Assert.Null(chat.Error);
        Assert.Equal(("chat-1", "Team", "alice", 7L), (chat.Value!.ChatId, chat.Value.Name, chat.Value.Creator, chat.Value.LastSeq));
        Assert.Equal(["alice", "bob"], chat.Value.Participants);
        Assert.Equal(refused, refusal);
    }

    [Theory]
    [MemberData(nameof(WireOptions))]
    public void An_accepted_message_and_its_refusal_round_trip(string wire, JsonSerializerOptions writer, JsonSerializerOptions reader)
    {
        _ = wire; // names the case in the test's display name
        ChatResult<AcceptedMessage> accepted = new AcceptedMessage("m-1", 42, 1_700_000_000_000);
        ChatResult<AcceptedMessage> refused = new ChatError(ErrorCodes.MessageTooLarge, "a message has at most 65536 UTF-8 bytes");

        Assert.Equal(accepted, RoundTrip(accepted, writer, reader));
        Assert.Equal(refused, RoundTrip(refused, writer, reader));
    }

    [Fact]
    public void The_actor_writes_a_result_as_a_value_or_an_error()
    {
        var options = new ActorRuntimeOptions().JsonSerializerOptions;

        Assert.Equal("""{"value":{"messageId":"m-1","seq":42,"timestamp":9},"error":null}""",
            JsonSerializer.Serialize<ChatResult<AcceptedMessage>>(new AcceptedMessage("m-1", 42, 9), options));
        Assert.Equal("""{"value":null,"error":{"code":"unknown_chat","message":"no such chat"}}""",
            JsonSerializer.Serialize<ChatResult<ChatDescription>>(new ChatError(ErrorCodes.UnknownChat, "no such chat"), options));
    }

    private static T RoundTrip<T>(T value, JsonSerializerOptions writer, JsonSerializerOptions reader) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, writer), reader)!;
}
