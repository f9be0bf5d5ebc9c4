using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Natter.ServiceDefaults.Tests.Infrastructure;

namespace Natter.ServiceDefaults.Tests;

/// <summary>
/// Production's path: a service with Auth:Authority fetches the issuer's metadata and JWKS (served here on loopback)
/// and accepts only tokens that issuer signed, with a pinned asymmetric algorithm and a key id it published.
/// </summary>
public sealed class OidcValidationTests : IAsyncLifetime
{
    private LoopbackIssuer _issuer = null!;
    private LoopbackHost _service = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LoopbackIssuer.StartAsync();
        _service = await ProtectedApp.StartAsync("Production", new Dictionary<string, string?> { ["Auth:Authority"] = _issuer.Authority });
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task Tokens_the_issuer_signed_with_RS256_or_ES256_are_accepted()
    {
        using var rsa = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), _issuer.Authority));
        using var ec = await _service.WhoAmIAsync(TestTokens.Create(_issuer.EcCredentials(), _issuer.Authority, userId: "bob", clientId: "bob-phone"));

        Assert.Equal(HttpStatusCode.OK, rsa.StatusCode);
        Assert.Equal("alice/alice-phone", await rsa.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ec.StatusCode);
        Assert.Equal("bob/bob-phone", await ec.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_issuers_own_key_with_an_algorithm_that_is_not_pinned_is_refused()
    {
        // PS256 and RS512 are sound algorithms, but not the ones configured: a token must use one of Auth:Algorithms.
        using var ps256 = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(SecurityAlgorithms.RsaSsaPssSha256), _issuer.Authority));
        using var rs512 = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(SecurityAlgorithms.RsaSha512), _issuer.Authority));

        Assert.Equal(HttpStatusCode.Unauthorized, ps256.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rs512.StatusCode);
    }

    [Fact]
    public async Task HS256_keyed_with_the_issuers_public_key_is_refused()
    {
        // The classic confusion attack: the public modulus, which anyone can read from the JWKS, used as an HMAC secret.
        var publicBytes = _issuer.Rsa.ExportRSAPublicKey();
        var confused = TestTokens.Create(new SigningCredentials(new SymmetricSecurityKey(publicBytes) { KeyId = LoopbackIssuer.RsaKeyId },
            SecurityAlgorithms.HmacSha256), _issuer.Authority);

        using var response = await _service.WhoAmIAsync(confused);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_key_the_issuer_never_published_is_refused_whatever_kid_it_names()
    {
        using var stranger = RSA.Create(2048);
        var unknownKid = TestTokens.Create(new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = "rsa-2" }, SecurityAlgorithms.RsaSha256), _issuer.Authority);
        var borrowedKid = TestTokens.Create(new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = LoopbackIssuer.RsaKeyId }, SecurityAlgorithms.RsaSha256), _issuer.Authority);
        var rightKeyWrongKid = TestTokens.Create(_issuer.RsaCredentials(keyId: "rsa-unpublished"), _issuer.Authority);

        using var a = await _service.WhoAmIAsync(unknownKid);
        using var b = await _service.WhoAmIAsync(borrowedKid);
        using var c = await _service.WhoAmIAsync(rightKeyWrongKid);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, c.StatusCode);
    }

    [Fact]
    public async Task Expired_wrong_issuer_and_wrong_audience_tokens_are_refused()
    {
        using var expired = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), _issuer.Authority, expiresIn: TimeSpan.FromSeconds(-10)));
        using var early = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), _issuer.Authority, notBeforeIn: TimeSpan.FromMinutes(1)));
        // "natter" is the development issuer: with an Authority only the authority's issuer counts.
        using var devIssuer = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), "natter"));
        using var audience = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), _issuer.Authority, audience: "another-app"));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, devIssuer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, audience.StatusCode);
    }

    [Fact]
    public async Task An_issuer_token_without_client_id_is_refused()
    {
        using var response = await _service.WhoAmIAsync(TestTokens.Create(_issuer.RsaCredentials(), _issuer.Authority, clientId: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
