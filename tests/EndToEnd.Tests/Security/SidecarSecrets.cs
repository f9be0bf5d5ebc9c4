using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Natter.EndToEnd.Tests.Security;

/// <summary>
/// The run's generated secrets, read from the AppHost's own parameters: what a sidecar (or a token issuer) holds,
/// so a test can act as one. Nothing here is written in code.
/// </summary>
public static class SidecarSecrets
{
    /// <summary>APP_API_TOKEN: what a sidecar presents to its app as the dapr-api-token header.</summary>
    public const string AppApiToken = "app-api-token";

    /// <summary>DAPR_API_TOKEN: what an app presents to its sidecar.</summary>
    public const string DaprApiToken = "dapr-api-token";

    /// <summary>The development signing key of the gateway's /dev/token.</summary>
    public const string SigningKey = "auth-signing-key";

    public const string HeaderName = "dapr-api-token";

    public static async Task<string> ParameterAsync(this NatterAppFixture fixture, string name)
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await parameter.GetValueAsync(timeout.Token) ?? throw new InvalidOperationException($"parameter {name} has no value");
    }

    /// <summary>An HTTP client for a service's sidecar-facing routes, presenting the sidecar's APP_API_TOKEN.</summary>
    public static async Task<HttpClient> AsSidecarAsync(this NatterAppFixture fixture, string service)
    {
        var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(service), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(HeaderName, await fixture.ParameterAsync(AppApiToken));
        return http;
    }
}
