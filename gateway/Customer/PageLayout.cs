using Widgets.Gateway.Customer.Texts;

namespace Widgets.Gateway.Customer;

/// <summary>The building blocks the customer pages share: the landing card and the one-message pages.</summary>
internal static class PageLayout
{
    /// <summary>A tampered, expired or unknown link: 404, and nothing was recorded.</summary>
    public static HtmlPage Expired(PageKind kind, CustomerTexts? texts = null)
    {
        var t = texts ?? CustomerTexts.For(null);
        return kind == PageKind.Screen
            ? Message(StatusCodes.Status404NotFound, kind, Icons.Clock, t.Screen.ExpiredTitle, t.Screen.ExpiredText, t.Lang)
            : Message(StatusCodes.Status404NotFound, kind, Icons.Clock, t.Landing.ExpiredTitle, t.Landing.ExpiredText, t.Lang);
    }

    public static HtmlPage Message(int status, PageKind kind, string icon, string title, string text, string lang = "en") =>
        kind == PageKind.Screen
            ? new HtmlPage(status, kind, title, $"<main class=\"center\">{icon}<h1>{Html.Encode(title)}</h1><p>{Html.Encode(text)}</p></main>", lang: lang)
            : new HtmlPage(status, kind, title, Card($"<div class=\"result\">{icon}<h1>{Html.Encode(title)}</h1><p class=\"lead\">{Html.Encode(text)}</p></div>"), lang: lang);

    public static string Card(string inner) => $"<main class=\"card\">\n{inner}\n</main>";
}
