using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>The web client's wiring in the Production model: it is told where the gateways and MediaService are, and nothing more.</summary>
[Collection(AppHostModelCollection.Name)]
public sealed class WebClientTests(AppHostModel model)
{
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
    public async Task In_production_no_service_allows_a_cross_origin_call(string service)
    {
        // The page signs in with development tokens only, so Production opens nothing for it
        // (Development's exact-origin CORS is checked end to end in EndToEnd.Tests/WebClient).
        Assert.DoesNotContain((await model.EnvironmentAsync(service)).Keys, k => k.StartsWith("Cors__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_development_token_minting_reaches_production_through_the_web_client()
    {
        var web = await model.EnvironmentAsync("webclient");

        Assert.DoesNotContain(web.Keys, k => k.StartsWith("Auth__", StringComparison.Ordinal));
        Assert.Equal("false", (await model.EnvironmentAsync("gateway-a")).GetValueOrDefault("Auth__DevelopmentTokens", "false"));
    }
}
