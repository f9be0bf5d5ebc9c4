using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Natter.AppHost;

/// <summary>Azurite (blob only) from the npm-pinned folder tools/azurite, as an executable resource.</summary>
public static class AzuriteExtensions
{
    // Development only: Azurite's published, well-known account key. Production gets its connection string from configuration.
    private const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static IResourceBuilder<AzuriteBlobResource> AddAzuriteBlobs(
        this IDistributedApplicationBuilder builder, string name, NatterPaths paths)
    {
        var azuriteFolder = Path.Combine(paths.RepoRoot, "tools", "azurite");
        var executable = Path.Combine(azuriteFolder, "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: run 'npm ci' in {azuriteFolder} (./natter up does it for you).");
        }

        var resource = new AzuriteBlobResource(name, executable, azuriteFolder);
        var healthKey = $"{name}-tcp";
        var azurite = builder.AddResource(resource)
            .WithEndpoint(name: "blob", scheme: "http")
            .WithHealthCheck(healthKey);
        var endpoint = azurite.GetEndpoint("blob");
        var location = paths.DataFolder(name);
        azurite.WithArgs(context =>
        {
            context.Args.Add("--blobHost");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--blobPort");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            context.Args.Add("--location");
            context.Args.Add(location);
            // Azure.Storage.Blobs 12.30 sends an API version newer than Azurite knows.
            context.Args.Add("--skipApiVersionCheck");
            context.Args.Add("--loose");
        });
        resource.ConnectionStringExpression = ReferenceExpression.Create(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}/devstoreaccount1;");
        // Any HTTP answer means Azurite is serving; it rejects an anonymous request, which is fine here.
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, async ct =>
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("endpoint not allocated yet");
            }
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var response = await http.GetAsync(new Uri($"{endpoint.Url}/devstoreaccount1?comp=list"), ct);
                return HealthCheckResult.Healthy($"HTTP {(int)response.StatusCode}");
            }
            catch (HttpRequestException e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
        return azurite;
    }
}

/// <summary>An Azurite process that other resources reference by connection string.</summary>
public sealed class AzuriteBlobResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression { get; set; } = ReferenceExpression.Create($"");
}
