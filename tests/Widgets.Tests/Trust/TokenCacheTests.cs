using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Widgets.Gateway.Auth;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// The cache of validated bearer tokens: a token is fully validated once, only a token that validated is
/// remembered, and a remembered token is refused exactly when validation would refuse it for its lifetime.
/// </summary>
public sealed class TokenCacheTests
{
    private static readonly byte[] Key = TestTokens.AccessTokenKey(TrustFixture.SigningKey);

    private readonly CountingHandler inner = new();
    private readonly TokenValidationParameters parameters = AccessTokens.ValidationParameters(new SigningKeys(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = TrustFixture.SigningKey }).Build(),
        NullLogger<SigningKeys>.Instance));

    [Fact]
    public async Task A_token_is_validated_once_and_each_use_gets_its_own_identity_with_the_same_claims()
    {
        using var cache = new CachingTokenHandler(inner);
        var token = TestTokens.Valid("pos-a", "pos_integration", Key);

        var first = await cache.ValidateTokenAsync(token, parameters);
        var second = await cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(second.IsValid, second.Exception?.Message);
        Assert.Equal(1, inner.Calls);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.IsType(first.ClaimsIdentity.GetType(), second.ClaimsIdentity);
        Assert.Equal(first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)), second.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)));
        Assert.Equal(first.ClaimsIdentity.AuthenticationType, second.ClaimsIdentity.AuthenticationType);
        Assert.Equal("pos-a", second.ClaimsIdentity.Name);
        Assert.Equal(first.SecurityToken.ValidFrom, second.SecurityToken.ValidFrom);
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task A_token_that_fails_validation_is_not_remembered_nor_is_a_valid_one_with_a_changed_signature()
    {
        using var cache = new CachingTokenHandler(inner);
        var forged = TestTokens.Valid("pos-a", "pos_integration", TestTokens.OtherKey());
        var valid = TestTokens.Valid("pos-a", "pos_integration", Key);
        var tampered = valid[..^2] + (valid[^2] == 'A' ? "BA" : "AA");

        Assert.False((await cache.ValidateTokenAsync(forged, parameters)).IsValid);
        Assert.False((await cache.ValidateTokenAsync(forged, parameters)).IsValid);
        Assert.True((await cache.ValidateTokenAsync(valid, parameters)).IsValid);
        Assert.False((await cache.ValidateTokenAsync(tampered, parameters)).IsValid);

        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_as_expired_once_past_its_expiry_as_an_unseen_one_is()
    {
        using var cache = new CachingTokenHandler(inner);
        // Without skew the lifetime ends at exp itself, a second or two from now, so the test waits that long only.
        var strict = parameters.Clone();
        strict.ClockSkew = TimeSpan.Zero;
        var now = DateTimeOffset.UtcNow;
        var token = TestTokens.Mint("pos-a", "pos_integration", now.AddSeconds(-10), now.AddSeconds(1), Key);
        Assert.True((await cache.ValidateTokenAsync(token, strict)).IsValid);

        var refused = await Eventually.Returns(() => cache.ValidateTokenAsync(token, strict), r => !r.IsValid, TimeSpan.FromSeconds(10), "the remembered token to expire");

        Assert.IsType<SecurityTokenExpiredException>(refused.Exception);
        var unseen = await new JsonWebTokenHandler().ValidateTokenAsync(token, strict);
        Assert.IsType<SecurityTokenExpiredException>(unseen.Exception);
    }

    /// <summary>The gateway's own validation, counting the tokens it is asked to validate.</summary>
    private sealed class CountingHandler : TokenHandler
    {
        private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
        private int calls;

        public int Calls => calls;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref calls);
            return handler.ValidateTokenAsync(token, validationParameters);
        }
    }
}
