using System.Net;
using System.Net.Http.Json;
using Natter.MediaService.Tests.Infrastructure;

namespace Natter.MediaService.Tests;

/// <summary>ChatService's calls, made as ChatService makes them: with the sender's forwarded JWT.</summary>
internal static class ChatReferences
{
    public static async Task SendInChatAsync(MediaFixture fixture, string senderId, string chatId, string messageId, string[] memberIds, params string[] attachmentIds)
    {
        using var sender = fixture.Client(senderId);
        using var response = await sender.PostAsJsonAsync("/attachments/references",
            new { userId = senderId, chatId, messageId, attachmentIds, memberIds });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task DeleteMessageAsync(MediaFixture fixture, string senderId, string chatId, string messageId, params string[] attachmentIds)
    {
        using var sender = fixture.Client(senderId);
        var ids = string.Join('&', attachmentIds.Select(id => $"attachmentId={id}"));
        using var response = await sender.DeleteAsync($"/attachments/references?chatId={chatId}&messageId={messageId}&{ids}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
