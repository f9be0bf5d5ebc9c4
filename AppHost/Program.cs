using Natter.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var paths = NatterPaths.From(builder);
var redis = builder.AddRedisServer("redis", paths);
var blobs = builder.AddAzuriteBlobs("blobs", paths);
var dapr = DaprSidecarOptions.From(builder, paths, redis);

var chatA = builder.AddProject<Projects.ChatService>("chatservice-a").WithDaprSidecar(dapr, "chatservice");
var chatB = builder.AddProject<Projects.ChatService>("chatservice-b").WithDaprSidecar(dapr, "chatservice");

builder.AddProject<Projects.MediaService>("mediaservice")
    .WithDaprSidecar(dapr, "mediaservice")
    .WithReference(blobs).WaitFor(blobs);

foreach (var gateway in new[] { "gateway-a", "gateway-b" })
{
    builder.AddProject<Projects.ConnectionGateway>(gateway)
        .WithDaprSidecar(dapr, "gateway")
        .WithEnvironment("Gateway__InstanceId", gateway)
        .WaitFor(chatA).WaitFor(chatB);
}

builder.Build().Run();
