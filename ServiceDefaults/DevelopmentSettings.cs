using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Settings that exist for local runs and tests only. Outside the Development environment a service that is given
/// one refuses to start, naming the setting: a deployment made from a development configuration must fail loudly,
/// not let anyone mint tokens or move the clock.
/// </summary>
public static class DevelopmentSettings
{
    public const string DevelopmentTokens = "Auth:DevelopmentTokens";
    public const string SigningKey = "Auth:SigningKey";
    public const string TestClock = NatterClock.TestClockSetting;

    public static void EnsureAllowed(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return;
        }
        var refusals = new List<string>();
        if (IsOn(configuration, DevelopmentTokens))
        {
            refusals.Add($"{DevelopmentTokens}=true lets anyone mint a token for any user");
        }
        if (IsOn(configuration, TestClock))
        {
            refusals.Add($"{TestClock}=true lets anyone move the clock");
        }
        if (!string.IsNullOrEmpty(configuration[SigningKey]))
        {
            refusals.Add($"{SigningKey} is a development signing key; validate tokens from an OIDC issuer with Auth:Authority");
        }
        if (string.IsNullOrEmpty(configuration[SidecarAuthentication.AppApiTokenSetting]))
        {
            refusals.Add($"{SidecarAuthentication.AppApiTokenSetting} is not set, so the sidecar could not call this app");
        }
        if (refusals.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start in the {environment.EnvironmentName} environment: {string.Join("; ", refusals)}.");
        }
    }

    private static bool IsOn(IConfiguration configuration, string key) =>
        bool.TryParse(configuration[key], out var on) && on;
}
