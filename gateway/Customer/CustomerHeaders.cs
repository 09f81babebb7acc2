using System.Security.Cryptography;

namespace Widgets.Gateway.Customer;

/// <summary>The response headers every public customer response carries: no caching, no sniffing, no referrer, a strict CSP.</summary>
internal static class CustomerHeaders
{
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Headers of an HTML page whose inline script and style carry <paramref name="nonce"/>. The screen page may be
    /// framed (a POS shows it in its customer display); the landing page, which holds a form, may not.
    /// </summary>
    public static void ForPage(HttpResponse response, string nonce, bool framable)
    {
        // A screen may show the brand's logo and widget icons from an https address the operator configured.
        var images = framable ? "'self' data: https:" : "'self' data:";
        var csp = $"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src {images}; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; object-src 'none'" + (framable ? "" : "; frame-ancestors 'none'");
        Common(response, csp);
        if (!framable)
        {
            response.Headers.XFrameOptions = "DENY";
        }
    }

    /// <summary>Headers of an image or JSON answer: nothing in it may run.</summary>
    public static void ForResource(HttpResponse response) =>
        Common(response, "default-src 'none'; style-src 'unsafe-inline'");

    private static void Common(HttpResponse response, string csp)
    {
        response.Headers.ContentSecurityPolicy = csp;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
    }
}
