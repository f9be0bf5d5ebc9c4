using System.Net.Http.Json;
using Natter.Contracts;

namespace Natter.Media;

/// <summary>The outcome of a MediaService call: a value, or the error MediaService answered with (4xx).</summary>
public sealed record MediaCallResult<T>(T? Value, MediaErrorBody? Error) where T : class;

/// <summary>
/// The gateway's and ChatService's client for MediaService (docs/MEDIA.md). It acts for users with the shared service
/// key, so it works however long ago the user's token was issued. Expected refusals come back as results; an
/// unreachable or failing MediaService throws, which callers turn into "unavailable".
/// </summary>
public sealed class MediaApiClient(HttpClient http)
{
    public Task<MediaCallResult<CreateAttachmentResponse>> CreateAttachmentAsync(CreateAttachmentRequest request, CancellationToken ct) =>
        PostAsync<CreateAttachmentRequest, CreateAttachmentResponse>("/attachments", request, ct);

    /// <summary>Validates the attachments for the sender and lets the chat's members read them; returns what recipients see.</summary>
    public Task<MediaCallResult<AttachmentsResponse>> AddReferencesAsync(AddReferencesRequest request, CancellationToken ct) =>
        PostAsync<AddReferencesRequest, AttachmentsResponse>("/attachments/references", request, ct);

    /// <summary>
    /// The message was deleted for everyone (§10): it no longer lets its chat's members read these attachments, and the
    /// last reference gone starts the attachment's retention. Idempotent; any failure throws (the caller retries).
    /// </summary>
    public async Task RemoveReferencesAsync(string chatId, string messageId, IReadOnlyList<string> attachmentIds, CancellationToken ct)
    {
        var query = string.Join("&", attachmentIds.Select(id => "attachmentId=" + Uri.EscapeDataString(id)));
        using var response = await http.DeleteAsync(
            $"/attachments/references?chatId={Uri.EscapeDataString(chatId)}&messageId={Uri.EscapeDataString(messageId)}&{query}", ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"MediaService answered {(int)response.StatusCode} to a reference release", null, response.StatusCode);
        }
    }

    private async Task<MediaCallResult<TResponse>> PostAsync<TRequest, TResponse>(string path, TRequest request, CancellationToken ct)
        where TResponse : class
    {
        using var response = await http.PostAsJsonAsync(path, request, NatterJson.Options, ct);
        if (response.IsSuccessStatusCode)
        {
            return new(await response.Content.ReadFromJsonAsync<TResponse>(NatterJson.Options, ct), null);
        }
        if ((int)response.StatusCode is >= 400 and < 500 and not 401 and not 408 and not 429)
        {
            var error = await response.Content.ReadFromJsonAsync<MediaErrorBody>(NatterJson.Options, ct);
            return new(null, error ?? new MediaErrorBody("unknown", response.ReasonPhrase ?? "refused"));
        }
        // 401 means the services disagree on the service key: a deployment fault, not the user's.
        throw new HttpRequestException($"MediaService answered {(int)response.StatusCode} to {path}", null, response.StatusCode);
    }
}
