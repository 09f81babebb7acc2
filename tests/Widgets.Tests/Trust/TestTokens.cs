using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Widgets.Tests.Trust;

/// <summary>
/// Builds JWTs by hand, byte by byte, so a test can make exactly the token it needs: one signed with the gateway's
/// own access-token key (derived from <c>Auth:SigningKey</c> as HMAC-SHA256(key, "access-tokens")), one signed with
/// another key, one with <c>alg: none</c>, an expired one, one without an expiry.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "widgets";
    public const string Audience = "widgets";

    /// <summary>The key the gateway signs access tokens with, derived from the configured signing key.</summary>
    public static byte[] AccessTokenKey(string signingKey) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes("access-tokens"));

    public static byte[] OtherKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// A token of <paramref name="clientId"/> with <paramref name="scope"/>, valid from <paramref name="notBefore"/>
    /// until <paramref name="expires"/> (no <c>exp</c> when null), signed HS256 with <paramref name="key"/>, or unsigned
    /// with <c>alg: none</c> when <paramref name="key"/> is null.
    /// </summary>
    public static string Mint(string clientId, string scope, DateTimeOffset notBefore, DateTimeOffset? expires, byte[]? key,
        string issuer = Issuer, string audience = Audience, DateTimeOffset? clientCreated = null)
    {
        var header = new Dictionary<string, object> { ["alg"] = key is null ? "none" : "HS256", ["typ"] = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["sub"] = clientId,
            ["client_id"] = clientId,
            ["scope"] = scope,
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = notBefore.ToUnixTimeSeconds(),
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
        };
        if (expires is { } exp)
        {
            payload["exp"] = exp.ToUnixTimeSeconds();
        }

        if (clientCreated is { } created)
        {
            // The gateway binds a token to its client's creation (the claim a re-created client's tokens differ in).
            payload["client_created"] = created.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var input = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = key is null ? "" : Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
        return $"{input}.{signature}";
    }

    /// <summary>A token that passes every check of the gateway (when <paramref name="key"/> is its key): the control of each forgery.</summary>
    public static string Valid(string clientId, string scope, byte[] key, DateTimeOffset? clientCreated = null) =>
        Mint(clientId, scope, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1), key, clientCreated: clientCreated);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
