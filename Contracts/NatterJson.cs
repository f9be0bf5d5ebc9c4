using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Natter.Contracts;

/// <summary>One set of JSON options for every frame, event and state document: camelCase, no nulls written.</summary>
public static class NatterJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Contract types use the generated metadata; service-private state docs (e.g. ChatDocument) fall back to reflection.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(NatterJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CommandEnvelope))]
[JsonSerializable(typeof(CreateChatCommand))]
[JsonSerializable(typeof(SendMessageCommand))]
[JsonSerializable(typeof(ModifyChatParticipantsCommand))]
[JsonSerializable(typeof(GetChatCommand))]
[JsonSerializable(typeof(DeactivateClientCommand))]
[JsonSerializable(typeof(ReceivedCommand))]
[JsonSerializable(typeof(NewMessageFrame))]
[JsonSerializable(typeof(ChatUpdateFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(CreateChatResult))]
[JsonSerializable(typeof(SendMessageResult))]
[JsonSerializable(typeof(ModifyChatParticipantsResult))]
[JsonSerializable(typeof(ListChatsResult))]
[JsonSerializable(typeof(GetChatResult))]
[JsonSerializable(typeof(DeactivateClientResult))]
[JsonSerializable(typeof(ChatCreateRequest))]
[JsonSerializable(typeof(ChatSendRequest))]
[JsonSerializable(typeof(ChatModifyRequest))]
[JsonSerializable(typeof(ChatGetRequest))]
[JsonSerializable(typeof(ChatResult<ChatDescription>))]
[JsonSerializable(typeof(ChatResult<AcceptedMessage>))]
[JsonSerializable(typeof(ChatIndex))]
[JsonSerializable(typeof(InboxEntry))]
[JsonSerializable(typeof(CleanupLease))]
[JsonSerializable(typeof(DeliveryBatch))]
// Edits, deletions, replies and reactions (§10).
[JsonSerializable(typeof(EditMessageCommand))]
[JsonSerializable(typeof(DeleteMessageCommand))]
[JsonSerializable(typeof(ReactCommand))]
[JsonSerializable(typeof(MessageEditedFrame))]
[JsonSerializable(typeof(MessageDeletedFrame))]
[JsonSerializable(typeof(ReactionFrame))]
[JsonSerializable(typeof(EditMessageResult))]
[JsonSerializable(typeof(DeleteMessageResult))]
[JsonSerializable(typeof(ReactResult))]
[JsonSerializable(typeof(ChatEditRequest))]
[JsonSerializable(typeof(ChatDeleteRequest))]
[JsonSerializable(typeof(ChatReactRequest))]
[JsonSerializable(typeof(ChatResult<EditOutcome>))]
[JsonSerializable(typeof(ChatResult<DeleteOutcome>))]
[JsonSerializable(typeof(ChatResult<ReactionOutcome>))]
// Typing and presence (§12).
[JsonSerializable(typeof(TypingCommand))]
[JsonSerializable(typeof(GetPresenceCommand))]
[JsonSerializable(typeof(UpdateSettingsCommand))]
[JsonSerializable(typeof(TypingFrame))]
[JsonSerializable(typeof(TypingResult))]
[JsonSerializable(typeof(GetPresenceResult))]
[JsonSerializable(typeof(UpdateSettingsResult))]
[JsonSerializable(typeof(LiveSignal))]
// Push notifications.
[JsonSerializable(typeof(RegisterPushCommand))]
[JsonSerializable(typeof(RegisterPushResult))]
[JsonSerializable(typeof(PushBatch))]
public sealed partial class NatterJsonContext : JsonSerializerContext;
