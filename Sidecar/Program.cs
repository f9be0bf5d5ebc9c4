// A Dapr-API-compatible local sidecar: daprd's flags in, daprd's HTTP and gRPC APIs out.
// The building blocks are listed in Hosting/SidecarApplication.cs, which tests host in-process too.
using Natter.Sidecar.Hosting;

await SidecarApplication.Build(args).RunAsync();
