using Widgets.Gateway.Customer.Texts;

namespace Widgets.Gateway.Customer;

/// <summary>
/// The email unsubscribe pages (<c>/u/{token}</c>), in the language the link names (see
/// <see cref="Links.UnsubscribeTokens"/>), in the landing page's look and with its security headers.
/// </summary>
internal static class UnsubscribePage
{
    /// <summary>The question, with the button that posts to the same link (mail clients' one-click POSTs land there too).</summary>
    public static HtmlPage Ask(string action, CustomerTexts texts)
    {
        var t = texts.Unsubscribe;
        return new HtmlPage(StatusCodes.Status200OK, PageKind.Landing, t.Title, PageLayout.Card(
            $"<h1>{Html.Encode(t.Title)}</h1><p class=\"lead\">{Html.Encode(t.Question)}</p>"
            + $"<form method=\"post\" action=\"{Html.Encode(action)}\"><button type=\"submit\">{Html.Encode(t.Button)}</button></form>"), lang: texts.Lang);
    }

    public static HtmlPage Done(CustomerTexts texts) =>
        PageLayout.Message(StatusCodes.Status200OK, PageKind.Landing, Icons.Check, texts.Unsubscribe.DoneTitle, texts.Unsubscribe.DoneText, texts.Lang);

    /// <summary>A tampered or unknown link: 404, nobody was unsubscribed.</summary>
    public static HtmlPage Invalid(CustomerTexts texts) =>
        PageLayout.Message(StatusCodes.Status404NotFound, PageKind.Landing, Icons.Alert, texts.Unsubscribe.InvalidTitle, texts.Unsubscribe.InvalidText, texts.Lang);
}
