using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Natter.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// An OIDC issuer on loopback: /.well-known/openid-configuration and a JWKS with one RSA and one EC key, both
/// generated per test run. Tokens it signs are what a production identity provider would send.
/// </summary>
public sealed class LoopbackIssuer : IAsyncDisposable
{
    private LoopbackHost _host = null!;

    public RSA Rsa { get; } = RSA.Create(2048);
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public const string RsaKeyId = "rsa-1";
    public const string EcKeyId = "ec-1";

    public string Authority => _host.Address.ToString().TrimEnd('/');

    public static async Task<LoopbackIssuer> StartAsync()
    {
        var issuer = new LoopbackIssuer();
        issuer._host = await LoopbackHost.StartAsync("Production", new Dictionary<string, string?>(), _ => { }, app =>
        {
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) => Results.Json(new JsonObject
            {
                ["issuer"] = issuer.Authority,
                ["jwks_uri"] = $"{issuer.Authority}/jwks",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "ES256"),
            }));
            app.MapGet("/jwks", () => Results.Json(new JsonObject { ["keys"] = new JsonArray(issuer.RsaJwk(), issuer.EcJwk()) }));
        });
        return issuer;
    }

    public SigningCredentials RsaCredentials(string algorithm = SecurityAlgorithms.RsaSha256, string keyId = RsaKeyId) =>
        new(new RsaSecurityKey(Rsa) { KeyId = keyId }, algorithm);

    public SigningCredentials EcCredentials() => new(new ECDsaSecurityKey(Ec) { KeyId = EcKeyId }, SecurityAlgorithms.EcdsaSha256);

    private JsonObject RsaJwk()
    {
        var p = Rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA", ["use"] = "sig", ["kid"] = RsaKeyId,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }

    private JsonObject EcJwk()
    {
        var p = Ec.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "EC", ["use"] = "sig", ["kid"] = EcKeyId, ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }
}
