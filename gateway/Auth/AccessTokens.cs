using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Widgets.Clients;

namespace Widgets.Gateway.Auth;

/// <summary>Issues the signed JWT access tokens of the client-credentials flow.</summary>
public sealed class AccessTokens(SigningKeys keys, TimeProvider clock)
{
    public const string Issuer = "widgets";
    public const string Audience = "widgets";
    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    /// <summary>
    /// When the token's client was created, in Unix milliseconds: a client deleted and created again under the same
    /// id is another client, and the first one's tokens must not work for it (issue times have only second precision).
    /// </summary>
    public const string ClientCreatedClaim = "client_created";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public string Issue(ApiClient client, IReadOnlyCollection<string> scopes)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", client.ClientId),
                new Claim(ClientIdClaim, client.ClientId),
                new Claim(ScopeClaim, string.Join(' ', scopes)),
                new Claim(ClientCreatedClaim, Created(client), ClaimValueTypes.Integer64),
            ]),
            SigningCredentials = new SigningCredentials(keys.AccessTokenKey, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The value of <see cref="ClientCreatedClaim"/> for <paramref name="client"/>.</summary>
    public static string Created(ApiClient client) => client.CreatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static TokenValidationParameters ValidationParameters(SigningKeys keys) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = keys.AccessTokenKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = ClientIdClaim,
    };
}
