using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Natter.Contracts;

namespace Natter.ServiceDefaults.Tests.Infrastructure;

/// <summary>Signs test JWTs with the official handler; each test says what it changes from a valid token.</summary>
public static class TestTokens
{
    public static string Create(
        SigningCredentials credentials, string issuer, string audience = "natter",
        string? userId = "alice", string? clientId = "alice-phone",
        TimeSpan? expiresIn = null, TimeSpan? notBeforeIn = null)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim>();
        if (userId is not null)
        {
            claims.Add(new Claim(NatterClaims.UserId, userId));
        }
        if (clientId is not null)
        {
            claims.Add(new Claim(NatterClaims.ClientId, clientId));
        }
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now + (notBeforeIn ?? TimeSpan.FromMinutes(-2)) < expires ? now + (notBeforeIn ?? TimeSpan.FromMinutes(-2)) : expires - TimeSpan.FromMinutes(1),
            IssuedAt = now - TimeSpan.FromMinutes(2),
            Expires = expires,
            SigningCredentials = credentials,
        });
    }
}
