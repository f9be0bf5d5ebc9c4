using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Hosting;

public sealed class MetadataTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Metadata_lists_app_id_components_and_subscriptions_over_http_and_grpc()
    {
        using var resources = new ResourcesFolder().WithRedisState(redis.Address, actorStateStore: true).WithRedisPubSub(redis.Address);
        var settings = new SidecarSettings("metaapp", resources.Path) { AppPort = FreePorts.Next() };
        await using var app = await TestApp.StartAsync(settings, a => a.MapPost("/news", () => Results.Ok()).WithTopic("pubsub", "news"));
        await using var sidecar = await SidecarHost.StartAsync(settings);

        Assert.True(await Eventually.TrueAsync(() => SidecarMetadata.HasSubscriptionAsync(settings, "news")));
        var metadata = await SidecarMetadata.GetAsync(settings);

        Assert.Equal("metaapp", metadata.GetProperty("id").GetString());
        var components = metadata.GetProperty("components").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString(), c.GetProperty("type").GetString(), c.GetProperty("version").GetString())).ToList();
        Assert.Contains(("statestore", "state.redis", "v1"), components);
        Assert.Contains(("pubsub", "pubsub.redis", "v1"), components);
        var subscription = Assert.Single(metadata.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal("pubsub", subscription.GetProperty("pubsubname").GetString());
        // daprd's HTTP metadata flattens the proto's rules.rules into an array (pkg/api/http/metadata.go).
        Assert.Equal("/news", subscription.GetProperty("rules")[0].GetProperty("path").GetString());
        Assert.Equal("PROGRAMMATIC", subscription.GetProperty("type").GetString());

        using var dapr = sidecar.CreateClient();
        var grpcMetadata = await dapr.GetMetadataAsync();
        Assert.Equal("metaapp", grpcMetadata.Id);
        Assert.Contains(grpcMetadata.Components, c => c.Name == "statestore" && c.Type == "state.redis" && c.Capabilities.Contains("ACTOR"));
    }
}

public sealed class RepositoryComponentsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string RepositoryComponents([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "components"));

    [Theory]
    [InlineData("chatservice", true)]
    [InlineData("gateway", false)]
    public async Task The_repository_components_load_with_redis_host_from_the_environment(string appId, bool seesCleanupCron)
    {
        var settings = new SidecarSettings(appId, RepositoryComponents()).WithEnvironment("REDIS_HOST", redis.Address);
        await using var sidecar = await SidecarHost.StartAsync(settings);
        using var dapr = sidecar.CreateClient();

        await dapr.SaveStateAsync("statestore", "probe", "through-secretKeyRef");

        // components/statestore.yaml sets keyPrefix: name, so gateways and chat services share keys under "statestore||".
        Assert.Equal("\"through-secretKeyRef\"", (string?)await redis.Database.HashGetAsync("statestore||probe", "data"));
        var names = (await SidecarMetadata.GetAsync(settings)).GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(seesCleanupCron, names.Contains("cleanup"));
    }
}

public sealed class PostgresRepositoryComponentsTests(RedisServer redis, PostgresServer postgres)
    : IClassFixture<RedisServer>, IClassFixture<PostgresServer>
{
    private static string RepositoryComponents([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "components", "postgresql"));

    [Fact]
    public async Task The_postgresql_set_keeps_state_in_postgresql_and_pubsub_on_redis()
    {
        var settings = new SidecarSettings("chatservice", RepositoryComponents())
            .WithEnvironment("REDIS_HOST", redis.Address)
            .WithEnvironment("POSTGRES_CONNECTION_STRING", postgres.DaprConnectionString);
        await using var sidecar = await SidecarHost.StartAsync(settings);
        using var dapr = sidecar.CreateClient();

        await dapr.SaveStateAsync("statestore", "probe", "in-postgres");

        // keyPrefix: name, as in components/statestore.yaml; the row is in v2's "state" table.
        Assert.Equal("\"in-postgres\""u8.ToArray(), (byte[])(await postgres.ScalarAsync("SELECT value FROM state WHERE key = 'statestore||probe'"))!);
        Assert.False(await redis.Database.KeyExistsAsync("statestore||probe"));
        var components = (await SidecarMetadata.GetAsync(settings)).GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal("state.postgresql", components["statestore"]);
        Assert.Equal("pubsub.redis", components["pubsub"]);
    }
}
