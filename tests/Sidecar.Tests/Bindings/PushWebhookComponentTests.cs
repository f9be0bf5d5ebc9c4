using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Bindings;

/// <summary>The committed components/push-webhook.yaml, as the push sender's sidecar loads it: the URL from PUSH_WEBHOOK_URL.</summary>
public sealed class PushWebhookComponentTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string RepositoryComponents([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "components"));

    [Fact]
    public async Task The_push_webhook_posts_to_the_url_from_the_environment_and_only_the_push_sender_loads_it()
    {
        var port = FreePorts.Next();
        var bodies = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var webhook = builder.Build();
        webhook.MapPost("/notify", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            bodies.Enqueue(await reader.ReadToEndAsync());
            return Results.Accepted();
        });
        await webhook.StartAsync();
        var settings = new SidecarSettings("pushsender", RepositoryComponents())
            .WithEnvironment("REDIS_HOST", redis.Address)
            .WithEnvironment("PUSH_WEBHOOK_URL", $"http://127.0.0.1:{port}/notify");
        await using var sidecar = await SidecarHost.StartAsync(settings);
        using var dapr = sidecar.CreateClient();

        await dapr.InvokeBindingAsync("push-webhook", "post", new { token = "tok-12345678", total = 1 });

        Assert.Equal("""{"token":"tok-12345678","total":1}""", Assert.Single(bodies));
        var chat = new SidecarSettings("chatservice", RepositoryComponents()).WithEnvironment("REDIS_HOST", redis.Address);
        await using var chatSidecar = await SidecarHost.StartAsync(chat);
        var names = (await SidecarMetadata.GetAsync(chat)).GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString());
        Assert.DoesNotContain("push-webhook", names);
    }
}
