using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Natter.ServiceDefaults.Tests.Infrastructure;

namespace Natter.ServiceDefaults.Tests;

/// <summary>Token rules with the development key (HS256, Auth:SigningKey): what /dev/token tokens must satisfy.</summary>
public sealed class DevelopmentKeyValidationTests : IAsyncLifetime
{
    private const string Issuer = "natter";
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)); // a fresh development key per run
    private LoopbackHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ProtectedApp.StartAsync("Development", new Dictionary<string, string?> { ["Auth:SigningKey"] = _key });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private SigningCredentials Key(string algorithm) => new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_key)), algorithm);

    [Fact]
    public async Task A_valid_token_names_the_user_and_device()
    {
        using var response = await _host.WhoAmIAsync(TestTokens.Create(Key(SecurityAlgorithms.HmacSha256), Issuer));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice/alice-phone", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_token_expired_beyond_the_few_seconds_of_skew_is_refused()
    {
        // The old 30 s skew accepted this token for another 20 s, while PROTOCOL.md promises 401.
        var expired = TestTokens.Create(Key(SecurityAlgorithms.HmacSha256), Issuer, expiresIn: TimeSpan.FromSeconds(-10));

        using var response = await _host.WhoAmIAsync(expired);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_development_key_signs_only_HS256()
    {
        using var hs512 = await _host.WhoAmIAsync(TestTokens.Create(Key(SecurityAlgorithms.HmacSha512), Issuer));
        using var hs384 = await _host.WhoAmIAsync(TestTokens.Create(Key(SecurityAlgorithms.HmacSha384), Issuer));

        Assert.Equal(HttpStatusCode.Unauthorized, hs512.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, hs384.StatusCode);
    }

    [Theory]
    [InlineData(null, "alice-phone")]
    [InlineData("alice", null)]
    [InlineData("", "alice-phone")]
    [InlineData("alice", "alice:phone")]
    public async Task A_token_without_a_whole_identity_is_refused_at_authentication(string? userId, string? clientId)
    {
        var token = TestTokens.Create(Key(SecurityAlgorithms.HmacSha256), Issuer, userId: userId, clientId: clientId);

        using var response = await _host.WhoAmIAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var signed = TestTokens.Create(Key(SecurityAlgorithms.HmacSha256), Issuer);
        var parts = signed.Split('.');
        var none = $"{Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";

        using var response = await _host.WhoAmIAsync(none);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
