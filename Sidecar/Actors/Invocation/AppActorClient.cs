using System.Net.Http.Headers;
using Natter.Sidecar.Actors.Activation;

namespace Natter.Sidecar.Actors.Invocation;

/// <summary>The sidecar's actor calls to its own app, through the shared app channel.</summary>
public sealed class AppActorClient(AppChannel.AppChannel channel)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<ActorCallResult> InvokeAsync(ActorKey key, string method, ActorCall call, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, MethodPath(key, method))
        {
            Content = new ByteArrayContent(call.Body),
        };
        ActorCallHeaders.CopyTo(call.Headers, request);
        using var response = await channel.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return new ActorCallResult(
            (int)response.StatusCode,
            await response.Content.ReadAsByteArrayAsync(ct),
            ActorCallHeaders.From(response));
    }

    public Task FireReminderAsync(ActorKey key, string name, byte[] body, CancellationToken ct) =>
        PutAsync($"{Base(key)}/method/remind/{Uri.EscapeDataString(name)}", body, ct);

    public Task FireTimerAsync(ActorKey key, string name, byte[] body, CancellationToken ct) =>
        PutAsync($"{Base(key)}/method/timer/{Uri.EscapeDataString(name)}", body, ct);

    public async Task DeactivateAsync(ActorKey key, CancellationToken ct)
    {
        using var response = await channel.Http.DeleteAsync(Base(key), ct);
        // 404: the app never activated it or already forgot it; either way it is not active.
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            throw new AppCallFailedException($"DELETE {Base(key)}", (int)response.StatusCode);
        }
    }

    private async Task PutAsync(string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await channel.Http.PutAsync(path, content, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new AppCallFailedException($"PUT {path}", (int)response.StatusCode);
        }
    }

    private static string Base(ActorKey key) => $"actors/{Uri.EscapeDataString(key.Type)}/{Uri.EscapeDataString(key.Id)}";

    private static string MethodPath(ActorKey key, string method) => $"{Base(key)}/method/{Uri.EscapeDataString(method)}";
}

/// <summary>The app answered a sidecar-initiated call (reminder, timer, deactivation) with an error status.</summary>
public sealed class AppCallFailedException(string call, int status) : Exception($"{call} answered {status}")
{
    public int StatusCode { get; } = status;
}
