using Natter.Sidecar.Hosting;

namespace Natter.Sidecar.Tests.Hosting;

public sealed class SidecarOptionsTests
{
    private static readonly SidecarEnvironment Environment = new(new Dictionary<string, string?>
    {
        ["DAPR_API_TOKEN"] = "api-secret",
        ["APP_API_TOKEN"] = "",
    });

    [Fact]
    public void Parses_the_flags_the_app_host_passes_to_daprd()
    {
        var options = SidecarOptions.Parse(
            ["--app-id", "chatservice", "--app-port", "5001", "--app-protocol", "http", "--dapr-http-port", "3601",
             "--dapr-grpc-port=50101", "--resources-path", "/tmp/components", "--log-level", "info"], Environment);

        Assert.Equal("chatservice", options.AppId);
        Assert.Equal(5001, options.AppPort);
        Assert.Equal(3601, options.DaprHttpPort);
        Assert.Equal(50101, options.DaprGrpcPort);
        Assert.Equal("/tmp/components", options.ResourcesPath);
        Assert.Equal("api-secret", options.ApiToken);
        Assert.Null(options.AppApiToken);
    }

    [Theory]
    [InlineData("--app-port", "nope")]
    [InlineData("--unknown-flag", "1")]
    [InlineData("--app-protocol", "grpc")]
    public void Bad_flags_are_rejected_with_their_name(string flag, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(["--app-id", "a", flag, value], Environment));

        Assert.Contains(flag, error.Message);
    }

    [Theory]
    [InlineData(new string[0], 4 * 1024 * 1024)]
    [InlineData(new[] { "--max-body-size", "1k" }, 1000)]
    [InlineData(new[] { "--max-body-size", "16Mi" }, 16 * 1024 * 1024)]
    [InlineData(new[] { "--max-body-size=2M" }, 2_000_000)]
    [InlineData(new[] { "--dapr-http-max-request-size", "8" }, 8 * 1024 * 1024)]
    [InlineData(new[] { "--dapr-http-max-request-size", "8", "--max-body-size", "1Ki" }, 1024)]
    public void Max_body_size_is_read_as_daprd_reads_it(string[] flags, int expected)
    {
        var options = SidecarOptions.Parse(["--app-id", "a", .. flags], Environment);

        Assert.Equal(expected, options.MaxBodySize);
    }

    [Fact]
    public void Unreadable_max_body_size_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(["--app-id", "a", "--max-body-size", "lots"], Environment));

        Assert.Contains("max-body-size", error.Message);
    }
}
