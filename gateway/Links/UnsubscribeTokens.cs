using System.Security.Cryptography;
using System.Text;
using Widgets.Consent;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Links;

/// <summary>
/// Unsubscribe links name the recipient by its key (a hash of the address, so the link reveals no email), signed so
/// nobody can unsubscribe someone else. They do not expire: an opt-out must work from any old message.
/// </summary>
public sealed class UnsubscribeTokens(SigningKeys keys)
{
    private const int SignatureChars = 27;

    public string Issue(string email)
    {
        var recipient = RecipientKeys.Email(email)["email:".Length..];
        return $"{recipient}.{Sign(recipient)}";
    }

    /// <summary>The recipient grain key of a valid token; null for anything else.</summary>
    public string? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 2 || parts[0].Length != 32 || parts[1].Length != SignatureChars)
        {
            return null;
        }

        var key = "email:" + parts[0];
        return RecipientKeys.IsEmailKey(key)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0])), Encoding.ASCII.GetBytes(parts[1]))
            ? key
            : null;
    }

    private string Sign(string recipient) =>
        Convert.ToBase64String(HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes("unsubscribe:" + recipient)))[..SignatureChars]
            .Replace('+', '-').Replace('/', '_');
}
