using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Natter.Contracts;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>Mints Natter JWTs with the test run's signing key, as the gateway's development tokens would.</summary>
public sealed class Tokens(string signingKey)
{
    public string For(string userId, string clientId = "device-1") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = NatterAuthenticationDefaults.Issuer,
            Audience = NatterAuthenticationDefaults.Issuer,
            Subject = new ClaimsIdentity([new Claim(NatterClaims.UserId, userId), new Claim(NatterClaims.ClientId, clientId)]),
            // Long-lived: tests move MediaService's clock forward by weeks (Natter:TestClock).
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            Expires = DateTime.UtcNow.AddDays(400),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
}

internal static class NatterAuthenticationDefaults
{
    /// <summary>Issuer and audience the services expect when Auth:Issuer is not configured.</summary>
    public const string Issuer = Microsoft.Extensions.Hosting.NatterAuthentication.Audience;
}
