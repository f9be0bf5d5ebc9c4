using System.Diagnostics;
using System.Net;
using Natter.Sidecar.AppChannel;
using Natter.Sidecar.Components;
using Natter.Sidecar.Telemetry;

namespace Natter.Sidecar.Bindings;

/// <summary>One bindings.cron input binding: the component name is the app route it POSTs to on every tick.</summary>
public sealed record CronBinding(string Name, CronSchedule Schedule, bool DeclaredInput, string Route)
{
    public static CronBinding From(ComponentSpec spec)
    {
        var direction = spec.Get("direction") ?? "";
        var route = spec.Get("route") is { Length: > 0 } r ? r : "/" + spec.Name;
        return new CronBinding(
            spec.Name,
            CronSchedule.Parse(spec.Required("schedule"), spec.SourceFile),
            direction.Split(',', StringSplitOptions.TrimEntries).Contains("input"),
            route.StartsWith('/') ? route : "/" + route);
    }
}

/// <summary>
/// Fires every cron binding of this sidecar. Every sidecar fires its own schedule, as daprd does, so N app
/// instances see N ticks: jobs behind a cron route must be idempotent or take a lease.
/// </summary>
public sealed class CronBindingRunner(
    IReadOnlyList<CronBinding> bindings,
    AppReadiness readiness,
    AppChannel.AppChannel channel,
    Hosting.SidecarOptions options,
    TimeProvider time,
    ILogger<CronBindingRunner> logger) : BackgroundService
{
    private static readonly byte[] EmptyJson = "{}"u8.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (bindings.Count == 0 || options.AppPort is null)
        {
            return;
        }
        await readiness.WhenReady.WaitAsync(stoppingToken);
        try
        {
            await Task.WhenAll(bindings.Select(b => RunAsync(b, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(CronBinding binding, CancellationToken ct)
    {
        if (!binding.DeclaredInput && !await AppListensAsync(binding, ct))
        {
            logger.LogInformation("Binding {Name}: the app does not listen on {Route}; not scheduled", binding.Name, binding.Route);
            return;
        }
        logger.LogInformation("Binding {Name}: firing {Schedule} to {Route}", binding.Name, binding.Schedule.Text, binding.Route);
        var next = binding.Schedule.Next(time.GetUtcNow());
        while (next is { } due && !ct.IsCancellationRequested)
        {
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct);
            }
            // Not awaited: a slow handler must not shift the schedule, as with daprd.
            _ = FireAsync(binding, ct);
            next = binding.Schedule.Next(due);
        }
    }

    /// <summary>daprd's probe: OPTIONS /{name}; 2xx or 405 means a handler exists, 404 means none.</summary>
    private async Task<bool> AppListensAsync(CronBinding binding, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, binding.Route);
            using var response = await channel.Http.SendAsync(request, ct);
            return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.MethodNotAllowed;
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("Binding {Name}: OPTIONS {Route} failed: {Error}", binding.Name, binding.Route, e.Message);
            return false;
        }
    }

    private async Task FireAsync(CronBinding binding, CancellationToken ct)
    {
        using var activity = SidecarTelemetry.Source.StartActivity($"bindings/{binding.Name}", ActivityKind.Producer);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, binding.Route)
            {
                Content = new ByteArrayContent(EmptyJson) { Headers = { ContentType = new("application/json") } },
            };
            using var response = await channel.Http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Binding {Name}: POST {Route} answered {Status}", binding.Name, binding.Route, (int)response.StatusCode);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("Binding {Name}: POST {Route} failed: {Error}", binding.Name, binding.Route, e.Message);
        }
    }
}
