using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Natter.AppHost;

/// <summary>
/// Aspire does not restart a crashed process by itself. These give the local run what Kubernetes' restartPolicy gives
/// production: redis-server runs under a restart loop, and a project that exits without being asked to is started again.
/// </summary>
public static class RestartPolicyExtensions
{
    /// <summary>Runs redis-server under redis-supervisor.sh, which restarts it on the same AOF when it dies.</summary>
    public static IResourceBuilder<ExecutableResource> WithRestartOnCrash(
        this IResourceBuilder<ExecutableResource> redis, NatterPaths paths) =>
        redis.WithCommand(Path.Combine(paths.RepoRoot, "AppHost", "redis-supervisor.sh"));

    /// <summary>
    /// Starts any process resource (services, their sidecars, Azurite, the redis loop) again when it exits without a
    /// stop having been asked for: a crash or a kill -9. Call it last, once every resource has been added.
    /// </summary>
    public static IDistributedApplicationBuilder RestartCrashedResources(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder; // a published deployment restarts through its orchestrator (see RELIABILITY.md)
        }
        foreach (var resource in builder.Resources.Where(r => r is ProjectResource or ExecutableResource))
        {
            resource.Annotations.Add(new RestartOnCrashAnnotation());
        }
        builder.Services.AddHostedService<CrashedResourceRestarter>();
        return builder;
    }
}

public sealed class RestartOnCrashAnnotation : IResourceAnnotation;

/// <summary>
/// Watches resource states. A resource that goes from running to exited without passing through "Stopping" (which the
/// dashboard's stop and the app's shutdown both go through) has crashed: it is started again, after a back-off that
/// doubles per crash in a row (as Kubernetes' CrashLoopBackOff does), so a resource that cannot start does not spin.
/// </summary>
internal sealed class CrashedResourceRestarter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<CrashedResourceRestarter> logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1); // running this long resets the back-off

    private readonly Dictionary<string, string?> _lastState = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Crashes, DateTime StartedAt)> _history = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = model.Resources.Where(r => r.Annotations.OfType<RestartOnCrashAnnotation>().Any())
            .Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        if (watched.Count == 0)
        {
            return;
        }
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var name = update.Resource.Name;
                if (!watched.Contains(name))
                {
                    continue;
                }
                var state = update.Snapshot.State?.Text;
                _lastState.TryGetValue(name, out var previous);
                _lastState[name] = state;
                if (state == KnownResourceStates.Running && previous != KnownResourceStates.Running)
                {
                    _history[name] = (_history.GetValueOrDefault(name).Crashes, DateTime.UtcNow);
                }
                var crashed = previous == KnownResourceStates.Running
                    && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished);
                if (crashed && !lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    _ = RestartAsync(name, update.Snapshot.ExitCode, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(string name, int? exitCode, CancellationToken ct)
    {
        var (crashes, startedAt) = _history.GetValueOrDefault(name);
        crashes = DateTime.UtcNow - startedAt > StableAfter ? 1 : crashes + 1;
        _history[name] = (crashes, startedAt);
        var backoff = TimeSpan.FromTicks(Math.Min(FirstBackoff.Ticks << Math.Min(crashes - 1, 5), MaxBackoff.Ticks));
        logger.LogWarning("{Resource} exited unexpectedly (exit code {ExitCode}); starting it again in {Backoff}",
            name, exitCode, backoff);
        try
        {
            await Task.Delay(backoff, ct);
            var result = await commands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand, ct);
            if (!result.Success)
            {
                logger.LogError("Restarting {Resource} failed: {Error}", name, result.Message);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
