using Microsoft.Extensions.Hosting;

namespace Natter.AppHost;

/// <summary>
/// How the services validate user tokens. In Development: HS256 with a key generated per machine (kept in user
/// secrets), and the gateways mint development tokens. Anywhere else: the OIDC issuer given as the "auth-authority"
/// parameter, and no development key or token endpoint at all.
/// </summary>
public sealed record NatterAuth(IResourceBuilder<ParameterResource>? SigningKey, IResourceBuilder<ParameterResource>? Authority)
{
    public bool DevelopmentTokens => SigningKey is not null;

    public static NatterAuth From(IDistributedApplicationBuilder builder) =>
        builder.Environment.IsDevelopment()
            // Development only: a key generated per machine, never one written in code.
            ? new NatterAuth(builder.AddParameter("auth-signing-key",
                new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true), null)
            : new NatterAuth(null, builder.AddParameter("auth-authority"));
}

public static class AuthenticationExtensions
{
    /// <summary>The service validates user tokens; a gateway (mintsDevelopmentTokens) also mints them in Development.</summary>
    public static IResourceBuilder<ProjectResource> WithNatterAuthentication(
        this IResourceBuilder<ProjectResource> app, NatterAuth auth, bool mintsDevelopmentTokens = false)
    {
        if (auth.Authority is not null)
        {
            return app.WithEnvironment("Auth__Authority", auth.Authority);
        }
        return app.WithEnvironment("Auth__SigningKey", auth.SigningKey!)
            .WithEnvironment("Auth__DevelopmentTokens", mintsDevelopmentTokens && auth.DevelopmentTokens ? "true" : "false");
    }
}
