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
/// Identity comes from signed JWTs. Production validates tokens from a configured issuer (Auth:Authority, OIDC metadata);
/// local runs sign with a symmetric key the AppHost generates (Auth:SigningKey), never one written in code.
/// </summary>
public static class NatterAuthentication
{
    public const string Audience = "natter";

    public static TBuilder AddNatterAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var auth = builder.Configuration.GetSection("Auth");
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.Authority = auth["Authority"];
                options.RequireHttpsMetadata = auth["Authority"]?.StartsWith("https://", StringComparison.Ordinal) ?? false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth["Issuer"] ?? Audience,
                    ValidAudience = auth["Audience"] ?? Audience,
                    IssuerSigningKey = SigningKey(builder.Configuration),
                    NameClaimType = NatterClaims.UserId,
                    ClockSkew = TimeSpan.FromSeconds(30),
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
                };
            });
        return builder;
    }

    /// <summary>
    /// POST /dev/token {userId, clientId, lifetimeSeconds?} → {token}. Exists only when Auth:DevelopmentTokens is true:
    /// registration is out of scope, and local runs and tests need a way to become a user.
    /// </summary>
    public static WebApplication MapDevelopmentTokens(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Auth:DevelopmentTokens"))
        {
            return app;
        }
        var key = SigningKey(app.Configuration)
                  ?? throw new InvalidOperationException("Auth:DevelopmentTokens needs Auth:SigningKey.");
        var issuer = app.Configuration["Auth:Issuer"] ?? Audience;
        app.MapPost("/dev/token", (DevelopmentTokenRequest request) =>
        {
            if (string.IsNullOrWhiteSpace(request.UserId) || string.IsNullOrWhiteSpace(request.ClientId))
            {
                return Results.BadRequest(new { code = "invalid_request", message = "userId and clientId are required" });
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

    private static SymmetricSecurityKey? SigningKey(IConfiguration configuration) =>
        configuration["Auth:SigningKey"] is { Length: > 0 } key ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) : null;
}

public sealed record DevelopmentTokenRequest(string UserId, string ClientId, int? LifetimeSeconds);
