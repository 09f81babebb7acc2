using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Links;

public enum LinkKind
{
    /// <summary>The customer-facing screen page and its QR images.</summary>
    Screen,

    /// <summary>The mobile landing page the QR code and messages open.</summary>
    Landing,
}

/// <summary>
/// Signed, expiring tokens in customer links: <c>sessionId.expiry.signature</c>. The signature covers the kind,
/// so a screen link cannot be turned into a landing link.
/// </summary>
public sealed class LinkTokens(SigningKeys keys, TimeProvider clock, IConfiguration configuration)
{
    private const int SignatureChars = 27;

    public TimeSpan LifetimeOf(LinkKind kind) => kind == LinkKind.Screen
        ? configuration.GetValue("Widgets:Links:ScreenLifetime", TimeSpan.FromHours(1))
        : configuration.GetValue("Widgets:Links:LandingLifetime", TimeSpan.FromDays(7));

    public string Issue(LinkKind kind, string sessionId)
    {
        var expires = (clock.GetUtcNow() + LifetimeOf(kind)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{sessionId}.{expires}.{Sign(kind, sessionId, expires)}";
    }

    /// <summary>The session id of a valid, unexpired token of this kind; null for anything else.</summary>
    public string? Verify(LinkKind kind, string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length != 32 || parts[2].Length != SignatureChars
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(kind, parts[0], parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }

        return clock.GetUtcNow().ToUnixTimeSeconds() < expires ? parts[0] : null;
    }

    private string Sign(LinkKind kind, string sessionId, string expires)
    {
        var mac = HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes($"{kind}:{sessionId}:{expires}"));
        return Convert.ToBase64String(mac)[..SignatureChars].Replace('+', '-').Replace('/', '_');
    }
}
