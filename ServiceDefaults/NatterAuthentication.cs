using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Natter.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Identity comes from signed JWTs, in one of two modes:
/// - OIDC (Auth:Authority): keys from the issuer's JWKS, asymmetric algorithms only (Auth:Algorithms, default RS256,ES256);
/// - development (Auth:SigningKey): HS256 with a key the AppHost generates per machine; Development environment only.
/// Either way a token must be signed, carry exp, sub and client_id (without ':'), and is refused 401 otherwise,
/// the same on every service.
/// </summary>
public static class NatterAuthentication
{
    public const string Audience = "natter";

    /// <summary>
    /// How far a token's exp/nbf may be off the server's clock. Small, so an expired token is refused within seconds
    /// (docs/PROTOCOL.md §1); nonzero, because issuer and server clocks are never exactly equal.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public static readonly string[] DefaultOidcAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public static TBuilder AddNatterAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"] is { Length: > 0 } a ? a : null;
        var signingKey = SigningKey(builder.Configuration);
        if (authority is not null && signingKey is not null)
        {
            throw new InvalidOperationException("Set either Auth:Authority (OIDC) or Auth:SigningKey (development), not both.");
        }
        if (authority is null && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Refusing to start in the {builder.Environment.EnvironmentName} environment: Auth:Authority (the OIDC issuer whose tokens to accept) is not set.");
        }

        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.Authority = authority;
                // Plain HTTP metadata only from this machine (tests, a local issuer); anywhere else it must be HTTPS.
                options.RequireHttpsMetadata = authority is not null && !IsLoopback(authority);
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    // With an Authority the issuer comes from its metadata unless Auth:Issuer names it.
                    ValidIssuer = auth["Issuer"] ?? (authority is null ? Audience : null),
                    ValidAudience = auth["Audience"] ?? Audience,
                    IssuerSigningKey = signingKey,
                    ValidAlgorithms = authority is null ? [SecurityAlgorithms.HmacSha256] : OidcAlgorithms(auth["Algorithms"]),
                    // A token names its key (kid); trying every key would accept a kid the issuer never published.
                    TryAllIssuerSigningKeys = authority is null,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidateLifetime = true,
                    ClockSkew = ClockSkew,
                    NameClaimType = NatterClaims.UserId,
                };
                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on a WebSocket upgrade, so the token may come as a query parameter.
                    OnMessageReceived = context =>
                    {
                        if (string.IsNullOrEmpty(context.Token) && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token;
                        }
                        return Task.CompletedTask;
                    },
                    // Identity is (sub, client_id); a signed token without both is no identity, on every service.
                    OnTokenValidated = context =>
                    {
                        if (IdentityProblem(context.Principal) is { } problem)
                        {
                            context.Fail(problem);
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        return builder;
    }

    /// <summary>Why a validated token still names no Natter identity, or null when it does.</summary>
    public static string? IdentityProblem(ClaimsPrincipal? principal)
    {
        var userId = principal?.FindFirst(NatterClaims.UserId)?.Value;
        var clientId = principal?.FindFirst(NatterClaims.ClientId)?.Value;
        if (string.IsNullOrWhiteSpace(userId))
        {
            return $"the token has no {NatterClaims.UserId}";
        }
        if (string.IsNullOrWhiteSpace(clientId))
        {
            return $"the token has no {NatterClaims.ClientId}";
        }
        // ':' separates client id and entry number in delivery ids (clientId:n).
        return clientId.Contains(':', StringComparison.Ordinal) ? $"{NatterClaims.ClientId} must not contain ':'" : null;
    }

    /// <summary>
    /// POST /dev/token {userId, clientId, lifetimeSeconds?} → {token}. Exists only in the Development environment with
    /// Auth:DevelopmentTokens=true (elsewhere the service refuses to start): registration is out of scope, and local
    /// runs and tests need a way to become a user.
    /// </summary>
    public static WebApplication MapDevelopmentTokens(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || !app.Configuration.GetValue<bool>(DevelopmentSettings.DevelopmentTokens))
        {
            return app;
        }
        var key = SigningKey(app.Configuration)
                  ?? throw new InvalidOperationException("Auth:DevelopmentTokens needs Auth:SigningKey.");
        var issuer = app.Configuration["Auth:Issuer"] ?? Audience;
        app.MapPost("/dev/token", (DevelopmentTokenRequest request) =>
        {
            if (string.IsNullOrWhiteSpace(request.UserId) || string.IsNullOrWhiteSpace(request.ClientId)
                || request.ClientId.Contains(':', StringComparison.Ordinal))
            {
                return Results.BadRequest(new { code = "invalid_request", message = "userId and clientId are required; clientId must not contain ':'" });
            }
            var lifetime = TimeSpan.FromSeconds(Math.Clamp(request.LifetimeSeconds ?? 3600, -3600, 86400));
            var now = DateTime.UtcNow;
            var token = new JwtSecurityToken(
                issuer, Audience,
                [new Claim(NatterClaims.UserId, request.UserId), new Claim(NatterClaims.ClientId, request.ClientId)],
                notBefore: lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(1) : now,
                expires: now + lifetime,
                signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
            return Results.Ok(new { token = new JwtSecurityTokenHandler().WriteToken(token) });
        }).AllowAnonymous();
        return app;
    }

    private static string[] OidcAlgorithms(string? configured)
    {
        var algorithms = configured is { Length: > 0 }
            ? configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : DefaultOidcAlgorithms;
        // A shared-secret algorithm next to a public JWKS invites key confusion (the public key used as an HMAC secret).
        if (algorithms.Any(a => a.StartsWith("HS", StringComparison.OrdinalIgnoreCase) || a.Equals("none", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Auth:Algorithms '{configured}' may list only asymmetric algorithms (RS*, PS*, ES*) for an OIDC issuer.");
        }
        return algorithms;
    }

    private static bool IsLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;

    private static SymmetricSecurityKey? SigningKey(IConfiguration configuration) =>
        configuration[DevelopmentSettings.SigningKey] is { Length: > 0 } key ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) : null;
}

public sealed record DevelopmentTokenRequest(string UserId, string ClientId, int? LifetimeSeconds);
