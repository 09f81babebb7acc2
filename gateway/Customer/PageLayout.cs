namespace Widgets.Gateway.Customer;

/// <summary>The building blocks the customer pages share: the landing card and the one-message pages.</summary>
internal static class PageLayout
{
    /// <summary>A tampered, expired or unknown link: 404, and nothing was recorded.</summary>
    public static HtmlPage Expired(PageKind kind) => Message(StatusCodes.Status404NotFound, kind, Icons.Clock, "This link has expired",
        kind == PageKind.Screen
            ? "Nothing to show here right now."
            : "Ask at the counter for a new code, or scan the one on the screen again.");

    public static HtmlPage Message(int status, PageKind kind, string icon, string title, string text) =>
        kind == PageKind.Screen
            ? new HtmlPage(status, kind, title, $"<main class=\"center\">{icon}<h1>{Html.Encode(title)}</h1><p>{Html.Encode(text)}</p></main>")
            : new HtmlPage(status, kind, title, Card($"<div class=\"result\">{icon}<h1>{Html.Encode(title)}</h1><p class=\"lead\">{Html.Encode(text)}</p></div>"));

    public static string Card(string inner) => $"<main class=\"card\">\n{inner}\n</main>";
}
