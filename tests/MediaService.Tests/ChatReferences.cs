using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>ChatService's calls, made as ChatService makes them: with the service key, for the sender.</summary>
internal static class ChatReferences
{
    /// <summary>A message is sent in a chat whose members are <paramref name="memberIds"/> (the chat actor holds them).</summary>
    public static async Task SendInChatAsync(MediaFixture fixture, string senderId, string chatId, string messageId, string[] memberIds, params string[] attachmentIds)
    {
        fixture.Membership.Join(chatId, memberIds);
        using var chatService = fixture.ServiceClient();
        using var response = await chatService.PostAsJsonAsync("/attachments/references",
            new { userId = senderId, chatId, messageId, attachmentIds, memberIds });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task DeleteMessageAsync(MediaFixture fixture, string chatId, string messageId, params string[] attachmentIds)
    {
        using var chatService = fixture.ServiceClient();
        using var response = await chatService.DeleteAsync(DeletePath(chatId, messageId, attachmentIds));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static string DeletePath(string chatId, string messageId, params string[] attachmentIds) =>
        $"/attachments/references?chatId={chatId}&messageId={messageId}&{string.Join('&', attachmentIds.Select(id => $"attachmentId={id}"))}";
}
