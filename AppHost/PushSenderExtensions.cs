using Microsoft.Extensions.Hosting;

namespace Natter.AppHost;

public static class PushSenderExtensions
{
    /// <summary>Where notifications go: an APNs/FCM gateway in production, a test receiver in the end-to-end suite.</summary>
    public const string WebhookUrlSetting = "Push:WebhookUrl";

    /// <summary>
    /// The Node.js push sender (PushSender/, `npm ci` installs it) with its own sidecar. There is no Aspire JavaScript
    /// hosting package here, so it is a plain node executable. The webhook URL is configuration: the sidecar's
    /// environment carries it as PUSH_WEBHOOK_URL, which components/push-webhook.yaml reads through the secret store.
    /// Without Push:WebhookUrl, Development points the binding at the push sender's own logging route.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddPushSender(
        this IDistributedApplicationBuilder builder, DaprSidecarOptions dapr, NatterPaths paths)
    {
        var development = builder.Environment.IsDevelopment();
        var push = builder.AddExecutable("pushsender", "node", Path.Combine(paths.RepoRoot, "PushSender"), "server.js")
            .WithHttpEndpoint(name: "http", env: "APP_PORT")
            .WithEnvironment("NODE_ENV", development ? "development" : "production")
            .WithOtlpExporter()
            .WithDaprSidecar(dapr, "pushsender");

        var configured = builder.Configuration[WebhookUrlSetting];
        if (string.IsNullOrEmpty(configured) && !development)
        {
            throw new InvalidOperationException($"{WebhookUrlSetting} is not set: outside Development, push notifications need a real webhook.");
        }
        var appPort = push.GetEndpoint("http").Property(EndpointProperty.Port);
        var webhook = string.IsNullOrEmpty(configured)
            ? ReferenceExpression.Create($"http://127.0.0.1:{appPort}/development/webhook")
            : ReferenceExpression.Create($"{configured}");
        var sidecar = builder.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == $"{push.Resource.Name}-dapr");
        builder.CreateResourceBuilder(sidecar).WithEnvironment("PUSH_WEBHOOK_URL", webhook);
        return push;
    }
}
