// A Dapr-API-compatible local sidecar: daprd's flags in, daprd's HTTP and gRPC APIs out.
// The building blocks are listed in Hosting/SidecarApplication.cs, which tests host in-process too.
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;

try
{
    await SidecarApplication.Build(args).RunAsync();
    return 0;
}
catch (Exception e) when (e is ComponentFileException or ArgumentException)
{
    // A bad flag or component file is the operator's to fix: one clear line, no stack trace.
    Console.Error.WriteLine($"natter-sidecar: fatal: {e.Message}");
    return 1;
}
