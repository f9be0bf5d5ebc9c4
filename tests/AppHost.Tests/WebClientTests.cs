using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>The web client's wiring: it is told where the gateways and MediaService are, and they allow its origin only.</summary>
[Collection(AppHostModelCollection.Name)]
public sealed class WebClientTests(AppHostModel model)
{
    private const string Origin = "{webclient.bindings.http.url}";

    [Fact]
    public async Task The_web_client_is_told_both_gateways_and_mediaservice_as_a_browser_reaches_them()
    {
        var web = await model.EnvironmentAsync("webclient");

        Assert.Equal(("gateway-a", "{gateway-a.bindings.http.url}"), (web["WebClient__Gateways__0__Name"], web["WebClient__Gateways__0__Url"]));
        Assert.Equal(("gateway-b", "{gateway-b.bindings.http.url}"), (web["WebClient__Gateways__1__Name"], web["WebClient__Gateways__1__Url"]));
        Assert.Equal("{mediaservice.bindings.http.url}", web["WebClient__MediaUrl"]);
        Assert.Equal("Production", web["ASPNETCORE_ENVIRONMENT"]);
    }

    [Theory]
    [InlineData("gateway-a")]
    [InlineData("gateway-b")]
    [InlineData("mediaservice")]
    public async Task Services_the_page_calls_allow_exactly_its_origin(string service)
    {
        var environment = await model.EnvironmentAsync(service);

        Assert.Equal(Origin, environment["Cors__AllowedOrigins__0"]);
        Assert.DoesNotContain("Cors__AllowedOrigins__1", environment.Keys);
    }

    [Fact]
    public async Task No_development_token_minting_reaches_production_through_the_web_client()
    {
        var web = await model.EnvironmentAsync("webclient");

        Assert.DoesNotContain(web.Keys, k => k.StartsWith("Auth__", StringComparison.Ordinal));
        Assert.Equal("false", (await model.EnvironmentAsync("gateway-a")).GetValueOrDefault("Auth__DevelopmentTokens", "false"));
    }
}
