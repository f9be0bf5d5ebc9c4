using Natter.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var paths = NatterPaths.From(builder);
var redis = builder.AddRedisServer("redis", paths);
var blobs = builder.AddAzuriteBlobs("blobs", paths);
var dapr = DaprSidecarOptions.From(builder, paths, redis);
// Development only: a key generated per machine (kept in user secrets), never one written in code.
var signingKey = builder.AddParameter("auth-signing-key",
    new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var chatA = builder.AddProject<Projects.ChatService>("chatservice-a").WithDaprSidecar(dapr, "chatservice").WithTestClockWhenEnabled();
var chatB = builder.AddProject<Projects.ChatService>("chatservice-b").WithDaprSidecar(dapr, "chatservice").WithTestClockWhenEnabled();

var media = builder.AddProject<Projects.MediaService>("mediaservice")
    .WithDaprSidecar(dapr, "mediaservice")
    .WithNatterAuthentication(signingKey)
    .WithTestClockWhenEnabled()
    .WithReference(blobs).WaitFor(blobs);

foreach (var gateway in new[] { "gateway-a", "gateway-b" })
{
    builder.AddProject<Projects.ConnectionGateway>(gateway)
        .WithDaprSidecar(dapr, "gateway")
        .WithNatterAuthentication(signingKey, developmentTokens: true)
        .WithEnvironment("Gateway__InstanceId", gateway)
        .WithWebSocketUrlAnnouncement()
        .WithEnvironment("Media__BaseUrl", media.GetEndpoint("http"))
        .WithTestClockWhenEnabled()
        .WaitFor(chatA).WaitFor(chatB);
}

builder.Build().Run();
