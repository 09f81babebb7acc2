using System.Text;

namespace Widgets.Gateway.Customer;

/// <summary>Which stylesheet a page uses: the landscape customer-facing screen or the mobile landing page.</summary>
internal enum PageKind
{
    Screen,
    Landing,
}

/// <summary>An HTML document with its status code; written with the customer security headers and a fresh CSP nonce.</summary>
internal sealed class HtmlPage(int status, PageKind kind, string title, string body, string? script = null, string lang = "en", string? scriptSrc = null, string? styles = null) : IResult
{
    public int StatusCode => status;

    public async Task ExecuteAsync(HttpContext context)
    {
        var nonce = CustomerHeaders.NewNonce();
        CustomerHeaders.ForPage(context.Response, nonce, framable: kind == PageKind.Screen);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Document(nonce), Encoding.UTF8, context.RequestAborted);
    }

    private string Document(string nonce)
    {
        var html = new StringBuilder(8 * 1024)
            .Append("<!doctype html>\n<html lang=\"").Append(Html.Encode(lang)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n")
            .Append("<meta name=\"robots\" content=\"noindex, nofollow\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<title>").Append(Html.Encode(title)).Append("</title>\n")
            .Append("<style nonce=\"").Append(nonce).Append("\">")
            .Append(kind == PageKind.Screen ? PageStyles.Screen : PageStyles.Landing)
            .Append("</style>\n");
        if (kind == PageKind.Screen)
        {
            // Without script the screen still follows the session, only slower.
            html.Append("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>\n");
            if (styles is not null)
            {
                html.Append("<style nonce=\"").Append(nonce).Append("\">").Append(styles).Append("</style>\n");
            }
        }

        html.Append("</head>\n<body>\n").Append(body).Append('\n');
        if (scriptSrc is not null)
        {
            html.Append("<script nonce=\"").Append(nonce).Append("\" src=\"").Append(Html.Encode(scriptSrc)).Append("\"></script>\n");
        }

        if (script is not null)
        {
            html.Append("<script nonce=\"").Append(nonce).Append("\">").Append(script).Append("</script>\n");
        }

        return html.Append("</body>\n</html>\n").ToString();
    }
}
