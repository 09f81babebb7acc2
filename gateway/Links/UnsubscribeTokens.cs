using System.Security.Cryptography;
using System.Text;
using Widgets.Catalogue;
using Widgets.Consent;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Links;

/// <summary>What a valid unsubscribe link names: the recipient's grain key and the language of its page.</summary>
public readonly record struct UnsubscribeLink(string Recipient, string? Locale);

/// <summary>
/// Unsubscribe links name the recipient by its key (a hash of the address, so the link reveals no email), signed so
/// nobody can unsubscribe someone else. They do not expire: an opt-out must work from any old message. A link sent
/// for a location whose <c>locale</c> is not the default also carries that locale (<c>{recipient}.{locale}.{sig}</c>,
/// 3 characters more, signed with the rest) so its page speaks the email's language; the recipient grain serves every
/// merchant and cannot say which one sent a given email, and carrying the whole location would make every link
/// longer. Links without a locale (the default's, and every link sent before) are answered in the default language.
/// </summary>
public sealed class UnsubscribeTokens(SigningKeys keys)
{
    private const int SignatureChars = 27;

    public string Issue(string email, string? locale = null)
    {
        var recipient = RecipientKeys.Email(email)["email:".Length..];
        return locale is null || locale == LocationSettingsRules.DefaultLocale || !IsLocale(locale)
            ? $"{recipient}.{Sign(recipient)}"
            : $"{recipient}.{locale}.{Sign($"{recipient}:{locale}")}";
    }

    /// <summary>The recipient and locale of a valid token; null for anything else.</summary>
    public UnsubscribeLink? Verify(string token)
    {
        var parts = token.Split('.');
        var (recipient, locale, signature) = parts.Length switch
        {
            2 => (parts[0], null, parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => ("", null, ""),
        };
        if (recipient.Length != 32 || signature.Length != SignatureChars || (locale is not null && !IsLocale(locale)))
        {
            return null;
        }

        var key = "email:" + recipient;
        var expected = Sign(locale is null ? recipient : $"{recipient}:{locale}");
        return RecipientKeys.IsEmailKey(key)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? new UnsubscribeLink(key, locale)
            : null;
    }

    private static bool IsLocale(string locale) => LocationSettingsRules.Locales.Contains(locale, StringComparer.Ordinal);

    private string Sign(string recipient) =>
        Convert.ToBase64String(HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes("unsubscribe:" + recipient)))[..SignatureChars]
            .Replace('+', '-').Replace('/', '_');
}
