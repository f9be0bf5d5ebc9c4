using System.Diagnostics;
using Natter.TestSupport;

namespace Natter.ServiceDefaults.Tests;

/// <summary>
/// The Node.js push sender (PushSender/server.js) outside Development: like the .NET services it refuses to start
/// without its tokens, or with the test-only short coalescing window, and says why.
/// </summary>
public sealed class PushSenderProductionTests
{
    public static TheoryData<string?, string?, string?, string> Refusals() => new()
    {
        { null, "dapr-token-0123456789", null, "APP_API_TOKEN is not set" },
        { "app-token-0123456789", null, null, "DAPR_API_TOKEN is not set" },
        { "app-token-0123456789", "dapr-token-0123456789", "500", "PUSH_COALESCE_WINDOW_MS below 10000 is a test setting" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Production_refuses_to_start_the_push_sender_with_development_settings(string? appToken, string? daprToken, string? window, string reason)
    {
        var start = new ProcessStartInfo("node", "server.js")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "PushSender"),
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["NODE_ENV"] = "production";
        start.Environment["APP_PORT"] = "9"; // never reached: the refusal comes first
        Set(start, "APP_API_TOKEN", appToken);
        Set(start, "DAPR_API_TOKEN", daprToken);
        Set(start, "PUSH_COALESCE_WINDOW_MS", window);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Refusing to start outside Development", stderr);
        Assert.Contains(reason, stderr);
    }

    private static void Set(ProcessStartInfo start, string name, string? value)
    {
        if (value is null)
        {
            start.Environment.Remove(name);
        }
        else
        {
            start.Environment[name] = value;
        }
    }
}
