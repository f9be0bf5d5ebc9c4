using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>The push sender in the Production model: a node process with its own daprd, and the webhook as configuration.</summary>
[Collection(AppHostModelCollection.Name)]
public sealed class PushSenderTests(AppHostModel model)
{
    [Fact]
    public async Task The_push_sender_runs_node_in_production_mode_with_its_own_sidecar_and_tokens()
    {
        var app = await model.EnvironmentAsync("pushsender");
        var sidecar = await model.EnvironmentAsync("pushsender-dapr");
        var args = await model.ArgsAsync("pushsender-dapr");

        Assert.Equal("production", app["NODE_ENV"]);
        Assert.Equal("pushsender", args.ValueOf("--app-id"));
        Assert.Equal("{pushsender.bindings.http.port}", args.ValueOf("--app-port"));
        Assert.Equal("{app-api-token.value}", app["APP_API_TOKEN"]);
        Assert.Equal(app["APP_API_TOKEN"], sidecar["APP_API_TOKEN"]);
        Assert.Equal(app["DAPR_API_TOKEN"], sidecar["DAPR_API_TOKEN"]);
    }

    [Fact]
    public async Task The_webhook_url_reaches_only_the_push_senders_sidecar_from_the_setting()
    {
        Assert.Equal("https://push.example/notify", (await model.EnvironmentAsync("pushsender-dapr"))["PUSH_WEBHOOK_URL"]);
        Assert.DoesNotContain("PUSH_WEBHOOK_URL", (await model.EnvironmentAsync("pushsender")).Keys);
        Assert.DoesNotContain("PUSH_WEBHOOK_URL", (await model.EnvironmentAsync("chatservice-a-dapr")).Keys);
    }
}
