using System.Collections;
using System.Globalization;

namespace Natter.Sidecar.Hosting;

/// <summary>
/// The daprd flags this sidecar accepts, with daprd's names, so the AppHost builds one argument list for either binary.
/// </summary>
public sealed record SidecarOptions
{
    public required string AppId { get; init; }
    public int? AppPort { get; init; }
    public string AppProtocol { get; init; } = "http";
    public string AppHost { get; init; } = "127.0.0.1";
    public int DaprHttpPort { get; init; } = 3500;
    public int DaprGrpcPort { get; init; } = 50001;
    public required string ResourcesPath { get; init; }
    public string LogLevel { get; init; } = "info";

    /// <summary>daprd's default --max-body-size: 4Mi.</summary>
    public const int DefaultMaxBodySize = 4 << 20;

    /// <summary>
    /// --max-body-size (or the deprecated --dapr-http-max-request-size, in MB): the largest HTTP request body and the
    /// largest gRPC message, received or sent, as daprd applies it to both servers.
    /// </summary>
    public int MaxBodySize { get; init; } = DefaultMaxBodySize;

    /// <summary>DAPR_API_TOKEN: when set, every API call must carry it in the dapr-api-token header.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: when set, sent to the app as dapr-api-token on every call.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>This sidecar's instance id: distinct per process, used for placement leases and consumer names.</summary>
    public string InstanceId { get; init; } = NewInstanceId();

    // Capped at 48 characters; short machine names are fine too.
    private static string NewInstanceId()
    {
        var id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        return id.Length <= 48 ? id : id[..48];
    }

    public Uri AppBaseUri => new($"http://{AppHost}:{AppPort}");

    // Flags daprd accepts that change nothing here; accepted so the AppHost passes one argument list to either binary.
    private static readonly HashSet<string> IgnoredFlags =
    [
        "--config", "--placement-host-address", "--scheduler-host-address", "--metrics-port", "--profile-port",
        "--app-max-concurrency", "--dapr-internal-grpc-port", "--app-channel-address", "--enable-metrics",
        "--log-as-json", "--mode", "--dapr-listen-addresses", "--app-health-check-path",
        "--enable-app-health-check", "--components-path",
    ];

    /// <summary>Parses daprd-style flags (<c>--flag value</c> or <c>--flag=value</c>) plus the token environment variables.</summary>
    public static SidecarOptions Parse(IReadOnlyList<string> args, SidecarEnvironment environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                throw new ArgumentException($"Unexpected argument '{arg}': flags look like --app-id X.");
            }
            var flag = "--" + arg.TrimStart('-');
            string value;
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                value = flag[(eq + 1)..];
                flag = flag[..eq];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                value = "true";
            }
            values[flag] = value;
        }

        foreach (var flag in values.Keys)
        {
            if (!KnownFlags.Contains(flag) && !IgnoredFlags.Contains(flag))
            {
                throw new ArgumentException($"Unknown flag '{flag}'.");
            }
        }

        string? Get(string flag) => values.TryGetValue(flag, out var v) ? v : null;
        int? Port(string flag) => Get(flag) is { } v
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new ArgumentException($"{flag} must be a port number, not '{v}'.")
            : null;

        var appId = Get("--app-id") ?? throw new ArgumentException("--app-id is required.");
        var protocol = Get("--app-protocol") ?? "http";
        if (protocol != "http")
        {
            throw new ArgumentException($"--app-protocol '{protocol}' is not supported: only http.");
        }
        return new SidecarOptions
        {
            AppId = appId,
            AppPort = Port("--app-port"),
            AppProtocol = protocol,
            DaprHttpPort = Port("--dapr-http-port") ?? 3500,
            DaprGrpcPort = Port("--dapr-grpc-port") ?? 50001,
            ResourcesPath = Path.GetFullPath(Get("--resources-path") ?? Get("--components-path")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "components")),
            LogLevel = Get("--log-level") ?? "info",
            MaxBodySize = MaxBodySizeFrom(Get("--max-body-size"), Get("--dapr-http-max-request-size")),
            ApiToken = NonEmpty(environment["DAPR_API_TOKEN"]),
            AppApiToken = NonEmpty(environment["APP_API_TOKEN"]),
        };
    }

    private static readonly HashSet<string> KnownFlags =
    [
        "--app-id", "--app-port", "--app-protocol", "--dapr-http-port", "--dapr-grpc-port", "--resources-path", "--log-level",
        "--max-body-size", "--dapr-http-max-request-size",
    ];

    // daprd: --max-body-size wins over --dapr-http-max-request-size (MB); both default to 4Mi.
    private static int MaxBodySizeFrom(string? quantity, string? megabytes)
    {
        if (quantity is not null)
        {
            return ResourceQuantity.ParseBytes(quantity) is { } bytes and > 0 and <= int.MaxValue
                ? (int)bytes
                : throw new ArgumentException($"invalid value for 'max-body-size' option: '{quantity}'.");
        }
        if (megabytes is not null)
        {
            return int.TryParse(megabytes, NumberStyles.None, CultureInfo.InvariantCulture, out var mb) && mb is > 0 and < 2048
                ? mb << 20
                : throw new ArgumentException($"--dapr-http-max-request-size must be a number of MB, not '{megabytes}'.");
        }
        return DefaultMaxBodySize;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// The environment variables the sidecar reads (tokens, secrets for secretstores.local.env, OTEL_*).
/// A seam so a test can host several sidecars in one process, each with its own environment.
/// </summary>
public sealed class SidecarEnvironment(IReadOnlyDictionary<string, string?> variables)
{
    public string? this[string name] => variables.TryGetValue(name, out var value) ? value : null;

    public static SidecarEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }
        return new SidecarEnvironment(variables);
    }
}
