namespace Natter.EndToEnd.Tests;

[Collection(NatterAppCollection.Name)]
public sealed class SmokeTests(NatterAppFixture fixture)
{
    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Every_service_answers_its_health_endpoint(string service)
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(service) };
        var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{service} /health answered {(int)response.StatusCode}");
    }

    public static TheoryData<string> ServiceNames() => new(NatterAppFixture.Services);
}
