using System.Security.Cryptography;
using System.Text;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Links;

/// <summary>
/// Unsubscribe links name the email address they stop, signed so nobody can unsubscribe someone else. They do
/// not expire: an opt-out must work from any old message.
/// </summary>
public sealed class UnsubscribeTokens(SigningKeys keys)
{
    public string Issue(string email)
    {
        var payload = Base64Url(Encoding.UTF8.GetBytes(email));
        return $"{payload}.{Sign(payload)}";
    }

    public string? Verify(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || token.Length > 600)
        {
            return null;
        }

        var payload = token[..dot];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(token[(dot + 1)..])))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight((payload.Length + 3) / 4 * 4, '=')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string Sign(string payload) =>
        Base64Url(HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes("unsubscribe:" + payload)))[..27];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
