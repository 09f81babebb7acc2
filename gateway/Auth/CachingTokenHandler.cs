using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Validates bearer tokens with <paramref name="inner"/> and remembers the ones that passed, so a POS that sends
/// the same token on every call pays for signature and claim parsing once per token. A remembered token is
/// forgotten when it expires; the client check of <see cref="AuthSetup"/> runs on every request either way.
/// </summary>
public sealed class CachingTokenHandler(TokenHandler inner, int capacity = CachingTokenHandler.DefaultCapacity) : TokenHandler, IDisposable
{
    /// <summary>Far more tokens than one gateway's clients hold at once (a token lives an hour).</summary>
    public const int DefaultCapacity = 10_000;

    // Only tokens that validated are added, so forged ones cannot grow it; the size limit bounds valid ones.
    private readonly MemoryCache validated = new(new MemoryCacheOptions { SizeLimit = capacity });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (validated.TryGetValue(token, out Validated? known))
        {
            return known!.Result();
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } securityToken && result.ClaimsIdentity is { } identity)
        {
            var skew = validationParameters.ClockSkew;
            validated.Set(token, new Validated(securityToken, identity), new MemoryCacheEntryOptions
            {
                Size = 1,
                // Checked on every read: the entry is gone from the moment lifetime validation would refuse the
                // token as expired (exp plus the clock skew), so from then on the full validation refuses it.
                AbsoluteExpiration = securityToken.ValidTo < DateTime.MaxValue - skew ? new DateTimeOffset(securityToken.ValidTo + skew, TimeSpan.Zero) : null,
            });
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public void Dispose() => validated.Dispose();

    private sealed class Validated(SecurityToken token, ClaimsIdentity identity)
    {
        // A copy per request: a request that changes its principal's claims must not change another's.
        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            SecurityToken = token,
            ClaimsIdentity = new CaseSensitiveClaimsIdentity(identity.Claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType),
        };
    }
}
