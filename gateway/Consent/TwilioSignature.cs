using System.Security.Cryptography;
using System.Text;
using Widgets.Gateway.Links;

namespace Widgets.Gateway.Consent;

/// <summary>
/// Checks <c>X-Twilio-Signature</c>: Base64(HMAC-SHA1(auth token, the URL Twilio called + each POST field's name
/// and value, sorted by name)). Without it anyone could opt numbers in or out.
/// </summary>
public sealed class TwilioSignature(IConfiguration configuration, PublicUrls urls)
{
    public bool IsConfigured => !string.IsNullOrEmpty(configuration["Sms:Twilio:AuthToken"]);

    public bool IsValid(HttpRequest request, IFormCollection form)
    {
        var token = configuration["Sms:Twilio:AuthToken"];
        var presented = request.Headers["X-Twilio-Signature"].ToString();
        if (string.IsNullOrEmpty(token) || presented.Length == 0)
        {
            return false;
        }

        // Twilio signs the URL it called: our public one. A request on a host we build no links for cannot match it.
        if (urls.Base(request) is not { } linkBase)
        {
            return false;
        }

        var expected = Compute(token, $"{linkBase}{request.Path}{request.QueryString}", form.Select(f => (f.Key, f.Value.ToString())));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented));
    }

    public static string Compute(string authToken, string url, IEnumerable<(string Name, string Value)> fields)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }
}
