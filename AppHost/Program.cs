using Natter.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var paths = NatterPaths.From(builder);
var redis = builder.AddRedisServer("redis", paths).WithRestartOnCrash(paths);
var blobs = builder.AddAzuriteBlobs("blobs", paths);
var dapr = DaprSidecarOptions.From(builder, paths, redis);
// Development only: a key generated per machine (kept in user secrets), never one written in code.
var signingKey = builder.AddParameter("auth-signing-key",
    new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var mediaKey = builder.AddMediaInternalKey();

var media = builder.AddProject<Projects.MediaService>("mediaservice")
    .WithDaprSidecar(dapr, "mediaservice")
    .WithNatterAuthentication(signingKey)
    .WithMediaInternalKey(mediaKey)
    .WithTestClockWhenEnabled()
    .WithReference(blobs).WaitFor(blobs);

var chatA = builder.AddProject<Projects.ChatService>("chatservice-a")
    .WithDaprSidecar(dapr, "chatservice").WithMediaClient(media, mediaKey).WithTestClockWhenEnabled();
var chatB = builder.AddProject<Projects.ChatService>("chatservice-b")
    .WithDaprSidecar(dapr, "chatservice").WithMediaClient(media, mediaKey).WithTestClockWhenEnabled();

foreach (var gateway in new[] { "gateway-a", "gateway-b" })
{
    builder.AddProject<Projects.ConnectionGateway>(gateway)
        .WithDaprSidecar(dapr, "gateway")
        .WithNatterAuthentication(signingKey, developmentTokens: true)
        .WithEnvironment("Gateway__InstanceId", gateway)
        .WithWebSocketUrlAnnouncement()
        .WithMediaClient(media, mediaKey)
        .WithTestClockWhenEnabled()
        .WaitFor(chatA).WaitFor(chatB);
}

builder.RestartCrashedResources();
builder.Build().Run();
