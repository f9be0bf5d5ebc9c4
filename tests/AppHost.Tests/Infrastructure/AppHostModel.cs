using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Natter.AppHost.Tests.Infrastructure;

/// <summary>
/// The real AppHost's model in daprd mode and the Production environment, built and never started: no process runs,
/// no port is allocated. Values that reference other resources render as Aspire's manifest expressions, e.g.
/// "{dapr-placement.bindings.grpc.port}", so a test sees exactly what each argument is wired to.
/// </summary>
public sealed class AppHostModel : IAsyncLifetime
{
    /// <summary>Dapr:BinPath for the model: three empty files, enough for the lookup; nothing here is ever run.</summary>
    public string BinPath { get; } = Directory.CreateTempSubdirectory("natter-dapr-bin-").FullName;

    private readonly string _runDirectory = Directory.CreateTempSubdirectory("natter-apphost-model-").FullName;
    private DistributedApplication? _app;

    public DistributedApplicationModel Model { get; private set; } = null!;

    private DistributedApplicationExecutionContext _executionContext = null!;

    public async Task InitializeAsync()
    {
        foreach (var binary in new[] { "daprd", "placement", "scheduler" })
        {
            await File.WriteAllTextAsync(Path.Combine(BinPath, binary), "");
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            // Production refuses to start the push sender without a real webhook (Push:WebhookUrl).
            ["--Dapr:Runtime=daprd", $"--Dapr:BinPath={BinPath}", $"--Natter:RunDirectory={_runDirectory}", "--Push:WebhookUrl=https://push.example/notify"],
            (_, host) => host.EnvironmentName = "Production",
            timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        Model = _app.Services.GetRequiredService<DistributedApplicationModel>();
        _executionContext = _app.Services.GetRequiredService<DistributedApplicationExecutionContext>();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(BinPath, recursive: true);
        Directory.Delete(_runDirectory, recursive: true);
    }

    public IResource Resource(string name) =>
        Model.Resources.SingleOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"No resource '{name}' in the model.");

    public IEnumerable<ProjectResource> Projects => Model.Resources.OfType<ProjectResource>();

    /// <summary>The command line exactly as the AppHost builds it, each value rendered.</summary>
    public async Task<IReadOnlyList<string>> ArgsAsync(string resourceName)
    {
        var resource = Resource(resourceName);
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource, CancellationToken.None) { ExecutionContext = _executionContext };
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return [.. args.Select(Render)];
    }

    /// <summary>The environment exactly as the AppHost builds it, each value rendered.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync(string resourceName)
    {
        var resource = Resource(resourceName);
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(_executionContext, resource, variables, CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return variables.ToDictionary(v => v.Key, v => Render(v.Value));
    }

    private static string Render(object value) => value switch
    {
        string s => s,
        IManifestExpressionProvider expression => expression.ValueExpression,
        _ => value.ToString() ?? "",
    };
}

/// <summary>The value after each occurrence of a flag, from a rendered command line.</summary>
public static class CommandLine
{
    public static IReadOnlyList<string> ValuesOf(this IReadOnlyList<string> args, string flag) =>
        [.. args.Select((arg, i) => (arg, i)).Where(a => a.arg == flag && a.i + 1 < args.Count).Select(a => args[a.i + 1])];

    public static string ValueOf(this IReadOnlyList<string> args, string flag) =>
        args.ValuesOf(flag) switch
        {
            [var single] => single,
            var many => throw new Xunit.Sdk.XunitException($"{flag} appears {many.Count} times in: {string.Join(' ', args)}"),
        };

    /// <summary>Every --flag of a command line, in order.</summary>
    public static IEnumerable<string> Flags(this IReadOnlyList<string> args) =>
        args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0][2..]);
}

[CollectionDefinition(Name)]
public sealed class AppHostModelCollection : ICollectionFixture<AppHostModel>
{
    public const string Name = "AppHost model";
}
