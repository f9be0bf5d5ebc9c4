using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Natter.Contracts;

namespace Natter.ServiceDefaults.Tests.Infrastructure;

/// <summary>A service as Natter's compose it (AddNatterAuthentication), with one route that needs a user.</summary>
public static class ProtectedApp
{
    public static Task<LoopbackHost> StartAsync(string environment, IDictionary<string, string?> configuration) =>
        LoopbackHost.StartAsync(environment, configuration,
            builder => builder.AddNatterAuthentication(),
            app => app.MapGet("/whoami", (HttpContext context) =>
                $"{context.User.FindFirst(NatterClaims.UserId)?.Value}/{context.User.FindFirst(NatterClaims.ClientId)?.Value}")
                .RequireAuthorization());

    public static async Task<HttpResponseMessage> WhoAmIAsync(this LoopbackHost host, string token)
    {
        using var http = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
