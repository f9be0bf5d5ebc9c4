using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.Client;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>
/// The real sidecar as a child process (dotnet Natter.Sidecar.dll), for tests that kill it mid-work.
/// Natter.Sidecar.dll is copied next to the test assembly by the project reference.
/// </summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SidecarProcess(SidecarSettings settings, Process process)
    {
        Settings = settings;
        _process = process;
    }

    public SidecarSettings Settings { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the process; unless waitForHealthy is false, waits until /v1.0/healthz answers 204.</summary>
    public static async Task<SidecarProcess> StartAsync(SidecarSettings settings, bool waitForHealthy = true)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Natter.Sidecar.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in settings.Args())
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in settings.Environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("the sidecar process did not start");
        var sidecar = new SidecarProcess(settings, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sidecar._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sidecar._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitForHealthy)
        {
            using var http = new HttpClient { BaseAddress = new Uri(settings.HttpEndpoint), Timeout = TimeSpan.FromSeconds(5) };
            var healthy = await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited)
                {
                    return true;
                }
                try
                {
                    return (await http.GetAsync("/v1.0/healthz")).StatusCode == System.Net.HttpStatusCode.NoContent;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or slow to answer on a busy machine.
                    return false;
                }
            }, TimeSpan.FromSeconds(60));
            if (!healthy || process.HasExited)
            {
                throw new InvalidOperationException($"the sidecar did not become healthy:\n{sidecar.Output}");
            }
        }
        return sidecar;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public DaprClient CreateClient(string? apiToken = null) => SidecarClients.Create(Settings, apiToken);

    /// <summary>SIGKILL: the process gets no chance to acknowledge or clean up, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
