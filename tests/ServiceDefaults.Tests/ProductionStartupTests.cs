using System.Net;
using System.Net.Http.Json;
using Natter.ServiceDefaults.Tests.Infrastructure;

namespace Natter.ServiceDefaults.Tests;

/// <summary>
/// The real service processes in the Production environment: development settings make them refuse to start with
/// a message naming the setting, and without them there is no /dev/token or /dev/clock to call.
/// </summary>
public sealed class ProductionStartupTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What a correct production gateway is given: an OIDC issuer (unreachable here; it is only fetched on the first token) and its app token.</summary>
    private static Dictionary<string, string> ProductionGateway() => new()
    {
        ["Auth__Authority"] = "https://issuer.invalid",
        ["APP_API_TOKEN"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Gateway__InstanceId"] = "gateway-prod-test",
        ["Media__BaseUrl"] = "http://127.0.0.1:9",
        ["Media__InternalKey"] = "not-used-in-this-test",
    };

    public static TheoryData<string, string, string, string> DevelopmentSettings() => new()
    {
        { "ConnectionGateway", "Auth__DevelopmentTokens", "true", "Auth:DevelopmentTokens" },
        { "ConnectionGateway", "Natter__TestClock", "true", "Natter:TestClock" },
        { "ConnectionGateway", "Auth__SigningKey", "a-development-signing-key-of-some-length-0123456789", "Auth:SigningKey" },
        { "ChatService", "Natter__TestClock", "true", "Natter:TestClock" },
    };

    [Theory]
    [MemberData(nameof(DevelopmentSettings))]
    public async Task Production_refuses_to_start_with_a_development_setting_and_names_it(string project, string variable, string value, string setting)
    {
        var settings = ProductionGateway();
        settings[variable] = value;
        await using var service = ServiceProcess.Start(project, "Production", settings);

        var exitCode = await service.ExitCodeAsync(StartTimeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Refusing to start in the Production environment", service.Output, StringComparison.Ordinal);
        Assert.Contains(setting, service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_a_gateway_with_no_token_issuer()
    {
        var settings = ProductionGateway();
        settings.Remove("Auth__Authority");
        await using var service = ServiceProcess.Start("ConnectionGateway", "Production", settings);

        Assert.NotEqual(0, await service.ExitCodeAsync(StartTimeout));
        Assert.Contains("Auth:Authority", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_a_service_without_the_app_api_token()
    {
        var settings = ProductionGateway();
        settings.Remove("APP_API_TOKEN");
        await using var service = ServiceProcess.Start("ChatService", "Production", settings);

        Assert.NotEqual(0, await service.ExitCodeAsync(StartTimeout));
        Assert.Contains("APP_API_TOKEN", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_gateway_serves_no_development_endpoints_and_guards_its_sidecar_routes()
    {
        await using var service = ServiceProcess.Start("ConnectionGateway", "Production", ProductionGateway());
        await service.WaitUntilListeningAsync(StartTimeout);
        using var http = service.Client();

        using var token = await http.PostAsJsonAsync("/dev/token", new { userId = "mallory", clientId = "m1" });
        using var clock = await http.PostAsJsonAsync("/dev/clock", new { advanceSeconds = 86400 });
        using var deliveries = await http.PostAsJsonAsync("/deliveries", new { deliveries = Array.Empty<object>() });
        using var alive = await http.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, clock.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, deliveries.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
