using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dapr.Client;
using Natter.EndToEnd.Tests.Security;

namespace Natter.EndToEnd.Tests;

/// <summary>The topology works: every service is up and reaches its own sidecar, and the sidecars serve state.</summary>
public abstract class SmokeTestsBase(NatterAppFixture fixture)
{
    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Every_service_is_healthy_including_its_sidecar_check(string service)
    {
        using var http = new HttpClient { BaseAddress = fixture.HttpEndpoint(service) };
        // /health includes the "dapr-sidecar" check: healthy means this service reached its own sidecar.
        var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{service} /health answered {(int)response.StatusCode}: {body}");
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Each_sidecar_round_trips_state_through_the_official_sdk(string service)
    {
        using var dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(fixture.App.GetEndpoint($"{service}-dapr", "grpc").ToString())
            .UseHttpEndpoint(fixture.App.GetEndpoint($"{service}-dapr", "http").ToString())
            .UseDaprApiToken(await fixture.ParameterAsync(SidecarSecrets.DaprApiToken))
            .Build();
        var key = $"smoke-{Guid.NewGuid():N}";

        await dapr.SaveStateAsync("statestore", key, new SmokeRecord(service, 42));
        var read = await dapr.GetStateAsync<SmokeRecord>("statestore", key);

        Assert.Equal(new SmokeRecord(service, 42), read);
    }

    public static TheoryData<string> ServiceNames() => new(NatterAppFixture.Services);

    public sealed record SmokeRecord(string Service, int Value);
}

[Collection(NatterAppCollection.Name)]
public sealed class SmokeTests(NatterAppFixture fixture) : SmokeTestsBase(fixture);

[Collection(PostgresComponentsCollection.Name)]
public sealed class PostgresComponentsSmokeTests(PostgresComponentsFixture fixture) : SmokeTestsBase(fixture);
