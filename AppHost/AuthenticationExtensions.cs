namespace Natter.AppHost;

public static class AuthenticationExtensions
{
    /// <summary>Services validate JWTs signed with the run's generated key; gateways may also mint development tokens.</summary>
    public static IResourceBuilder<ProjectResource> WithNatterAuthentication(
        this IResourceBuilder<ProjectResource> app, IResourceBuilder<ParameterResource> signingKey, bool developmentTokens = false) =>
        app.WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("Auth__DevelopmentTokens", developmentTokens ? "true" : "false");
}
