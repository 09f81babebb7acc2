using System.Security.Cryptography;
using System.Text;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Customer;

/// <summary>
/// Cross-site request forgery guard for the landing form: the page sets a random nonce in a SameSite=Strict cookie
/// scoped to the link and puts a MAC of (session, nonce) in the form. A form posted from another site has neither,
/// and browsers that send Sec-Fetch-Site must say the post came from this site.
/// </summary>
public sealed class LandingCsrf(SigningKeys keys)
{
    private const string Cookie = "wf";

    public string Issue(HttpContext context, string sessionId, string path)
    {
        var nonce = context.Request.Cookies[Cookie] is { Length: 32 } existing ? existing : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Response.Cookies.Append(Cookie, nonce, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = path,
            MaxAge = TimeSpan.FromDays(1),
        });
        return Mac(sessionId, nonce);
    }

    public bool IsValid(HttpContext context, string sessionId, string? formToken)
    {
        var site = context.Request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        return context.Request.Cookies[Cookie] is { Length: 32 } nonce && formToken is { Length: > 0 }
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(sessionId, nonce)), Encoding.ASCII.GetBytes(formToken));
    }

    private string Mac(string sessionId, string nonce) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes($"csrf:{sessionId}:{nonce}")));
}
