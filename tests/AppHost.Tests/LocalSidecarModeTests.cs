using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Natter.AppHost.Tests.Infrastructure;

namespace Natter.AppHost.Tests;

/// <summary>The local sidecar's wiring is untouched by daprd mode: no control plane, none of daprd's own flags.</summary>
public sealed class LocalSidecarModeTests
{
    [Fact]
    public async Task The_local_sidecar_runs_without_placement_or_scheduler_and_gets_only_the_shared_flags()
    {
        var runDirectory = Directory.CreateTempSubdirectory("natter-apphost-local-").FullName;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                ["--Dapr:Runtime=local", $"--Natter:RunDirectory={runDirectory}"], timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            var sidecar = Assert.IsType<ProjectResource>(model.Resources.Single(r => r.Name == "chatservice-a-dapr"));
            var args = new List<object>();
            var context = new CommandLineArgsCallbackContext(args, sidecar, CancellationToken.None)
            {
                ExecutionContext = app.Services.GetRequiredService<DistributedApplicationExecutionContext>(),
            };
            foreach (var callback in sidecar.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
            {
                await callback.Callback(context);
            }
            IReadOnlyList<string> rendered = [.. args.Select(a => a as string ?? ((IManifestExpressionProvider)a).ValueExpression)];

            Assert.DoesNotContain(model.Resources, r => r.Name is "dapr-placement" or "dapr-scheduler");
            Assert.Equal(
                ["app-id", "app-port", "app-protocol", "dapr-http-port", "dapr-grpc-port", "resources-path", "max-body-size", "log-level"],
                rendered.Flags());
            Assert.Equal("chatservice", rendered.ValueOf("--app-id"));
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }
    }
}
