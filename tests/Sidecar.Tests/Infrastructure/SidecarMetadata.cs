using System.Net.Http.Json;
using System.Text.Json;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>Reads GET /v1.0/metadata (the SDK's DaprMetadata has no subscriptions).</summary>
public static class SidecarMetadata
{
    public static async Task<JsonElement> GetAsync(SidecarSettings settings, string? apiToken = null)
    {
        using var http = SidecarClients.CreateHttp(settings, apiToken);
        return await http.GetFromJsonAsync<JsonElement>("/v1.0/metadata");
    }

    public static async Task<bool> HasSubscriptionAsync(SidecarSettings settings, string topic) =>
        (await GetAsync(settings)).GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == topic);
}
