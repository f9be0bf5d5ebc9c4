using Natter.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var paths = NatterPaths.From(builder);
var redis = builder.AddRedisServer("redis", paths).WithRestartOnCrash(paths);
var blobs = builder.AddAzuriteBlobs("blobs", paths);
var dapr = DaprSidecarOptions.From(builder, paths, redis);
var auth = NatterAuth.From(builder);
var mediaKey = builder.AddMediaInternalKey();
var sealKey = builder.AddDeliverySealKey();

var media = builder.AddProject<Projects.MediaService>("mediaservice")
    .WithAppHostEnvironment()
    .WithDaprSidecar(dapr, "mediaservice")
    .WithNatterAuthentication(auth)
    .WithMediaInternalKey(mediaKey)
    .WithReference(blobs).WaitFor(blobs);

var chatA = builder.AddProject<Projects.ChatService>("chatservice-a")
    .WithAppHostEnvironment()
    .WithDaprSidecar(dapr, "chatservice").WithMediaClient(media, mediaKey).WithDeliverySealKey(sealKey);
var chatB = builder.AddProject<Projects.ChatService>("chatservice-b")
    .WithAppHostEnvironment()
    .WithDaprSidecar(dapr, "chatservice").WithMediaClient(media, mediaKey).WithDeliverySealKey(sealKey);

var gateways = new List<IResourceBuilder<ProjectResource>>();
foreach (var gateway in new[] { "gateway-a", "gateway-b" })
{
    gateways.Add(builder.AddProject<Projects.ConnectionGateway>(gateway)
        .WithAppHostEnvironment()
        .WithDaprSidecar(dapr, "gateway")
        .WithNatterAuthentication(auth, mintsDevelopmentTokens: true)
        .WithEnvironment("Gateway__InstanceId", gateway)
        .WithWebSocketUrlAnnouncement()
        .WithMediaClient(media, mediaKey)
        .WithDeliverySealKey(sealKey)
            .WaitFor(chatA).WaitFor(chatB));
}

// The browser client (issue 14): chat straight from the dashboard.
builder.AddWebClient(media, gateways);

// Push notifications (docs/PROTOCOL.md §11): the Node.js push sender with its own sidecar and webhook binding.
builder.AddPushSender(dapr, paths);

builder.WithPostgresStateWhenSelected(dapr, paths);
builder.RestartCrashedResources();
builder.Build().Run();
