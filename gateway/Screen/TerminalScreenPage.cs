using System.Globalization;
using System.Text;
using System.Text.Json;
using Widgets.Gateway.Customer;
using Widgets.Gateway.Customer.Texts;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal's screen page (<c>/t/{token}</c>): every view is in the page, the current one shown, and the
/// screen script (<see cref="ScreenAssets.ScriptPath"/>) switches between them as the server pushes state events.
/// </summary>
internal static class TerminalScreenPage
{
    public sealed record Model(
        string EventsUrl,
        string StartUrl,
        string StartToken,
        LocationSettings Settings,
        IReadOnlyList<WidgetSummary> IdleWidgets,
        string IdleVersion,
        ScreenSnapshot Snapshot,
        DateTimeOffset Now);

    public static HtmlPage Render(Model m)
    {
        var texts = CustomerTexts.For(m.Settings.Locale);
        var t = texts.Screen;
        var s = m.Snapshot;
        var brandName = m.Settings.Brand.Name ?? m.Settings.Name;
        var clientTexts = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["reconnecting"] = t.Reconnecting,
            ["starting"] = t.Starting,
            ["busy"] = t.StartBusy,
            ["unavailable"] = t.StartUnavailable,
            ["failed"] = t.StartFailed,
            ["welcome"] = t.Welcome,
            ["tap"] = t.TapHint,
        });
        var html = new StringBuilder(8 * 1024)
            .Append("<main id=\"screen\" class=\"terminal\" data-view=\"").Append(s.View).Append('"')
            .Append(s.SessionId is null ? "" : $" data-session-id=\"{Html.Encode(s.SessionId)}\"")
            .Append(" data-events=\"").Append(Html.Encode(m.EventsUrl)).Append('"')
            .Append(" data-start=\"").Append(Html.Encode(m.StartUrl)).Append('"')
            .Append(" data-start-token=\"").Append(Html.Encode(m.StartToken)).Append('"')
            .Append(" data-self-start=\"").Append(m.Settings.SelfStart ? "true" : "false").Append('"')
            .Append(" data-carousel-seconds=\"").Append(m.Settings.CarouselSeconds.ToString(CultureInfo.InvariantCulture)).Append('"')
            .Append(" data-server-time=\"").Append(Iso(m.Now)).Append('"')
            .Append(" data-idle-version=\"").Append(Html.Encode(m.IdleVersion)).Append('"')
            .Append(" data-state=\"").Append(Html.Encode(s.Json)).Append('"')
            .Append(" data-texts=\"").Append(Html.Encode(clientTexts)).Append("\">\n");

        // Idle: the location's idle widgets, one at a time, with the brand; the script redraws the slides (as here) on an idle event.
        html.Append("<section class=\"idle\" data-for=\"idle\"").Append(Hidden(s, ScreenViews.Idle)).Append(">\n<header class=\"brand\">");
        if (m.Settings.Brand.LogoUrl is { } logo)
        {
            html.Append("<img class=\"logo\" src=\"").Append(Html.Encode(logo)).Append("\" alt=\"\">");
        }

        html.Append("<span class=\"brand-name\">").Append(Html.Encode(brandName ?? "")).Append("</span></header>\n<div class=\"slides\">\n");
        if (m.IdleWidgets.Count == 0)
        {
            html.Append("<article class=\"slide current calm\"><div class=\"copy\"><h1>").Append(Html.Encode(t.Welcome)).Append("</h1>")
                .Append(brandName is null ? "" : $"<p>{Html.Encode(brandName)}</p>").Append("</div></article>\n");
        }

        for (var i = 0; i < m.IdleWidgets.Count; i++)
        {
            var w = m.IdleWidgets[i];
            html.Append("<article class=\"slide").Append(i == 0 ? " current" : "").Append("\" data-widget-id=\"").Append(w.Id.ToString(CultureInfo.InvariantCulture)).Append("\">");
            html.Append(w.Icon is null ? "<div class=\"wicon none\"></div>" : $"<img class=\"wicon\" src=\"{Html.Encode(w.Icon)}\" alt=\"\">");
            html.Append("<div class=\"copy\"><h1>").Append(Html.Encode(w.Name)).Append("</h1>");
            if (!string.IsNullOrWhiteSpace(w.Description))
            {
                html.Append("<p>").Append(Html.Encode(w.Description)).Append("</p>");
            }

            if (m.Settings.SelfStart)
            {
                html.Append("<button type=\"button\" class=\"tap\" data-start=\"").Append(w.Id.ToString(CultureInfo.InvariantCulture)).Append("\">")
                    .Append(Html.Encode(t.TapHint)).Append("</button>");
            }

            html.Append("</div></article>\n");
        }

        html.Append("</div>\n");
        if (m.IdleWidgets.Count > 1)
        {
            html.Append("<div class=\"dots\" aria-hidden=\"true\">").Append(string.Concat(Enumerable.Range(0, m.IdleWidgets.Count).Select(i => i == 0 ? "<i class=\"on\"></i>" : "<i></i>"))).Append("</div>\n");
        }

        html.Append("<p class=\"idle-hint\">").Append(Html.Encode(t.IdleHint)).Append("</p>\n</section>\n");

        // Live: the session's QR code, its headline and the countdown.
        html.Append("<section class=\"view\" data-for=\"live\"").Append(Hidden(s, ScreenViews.Live)).Append(">\n")
            .Append("<div class=\"qr\"><img src=\"").Append(Html.Encode(s.QrUrl ?? "")).Append("\" alt=\"").Append(Html.Encode(t.QrAlt)).Append("\" width=\"600\" height=\"600\"></div>\n")
            .Append("<div class=\"copy\"><h1 class=\"headline\">").Append(Html.Encode(s.Headline)).Append("</h1>")
            .Append("<p class=\"body\"").Append(string.IsNullOrWhiteSpace(s.Body) ? " hidden" : "").Append('>').Append(Html.Encode(s.Body)).Append("</p>")
            .Append("<p class=\"hint\">").Append(Icons.Phone).Append("<span>").Append(Html.Encode(t.ScanHint)).Append("</span></p>")
            .Append(Timer(t)).Append("</div>\n</section>\n");

        // Scanned: the customer continues on the phone.
        html.Append("<section class=\"view\" data-for=\"scanned\"").Append(Hidden(s, ScreenViews.Scanned)).Append(">\n")
            .Append("<div class=\"big\">").Append(Icons.Phone).Append("</div>\n<div class=\"copy\"><h1>").Append(Html.Encode(t.ScannedTitle)).Append("</h1>")
            .Append("<p class=\"headline\">").Append(Html.Encode(s.Headline)).Append("</p>").Append(Timer(t)).Append("</div>\n</section>\n");

        html.Append("<section class=\"center\" data-for=\"thanks\"").Append(Hidden(s, ScreenViews.Thanks)).Append('>')
            .Append(Icons.Check).Append("<h1>").Append(Html.Encode(t.ThanksTitle)).Append("</h1><p>").Append(Html.Encode(t.ThanksText)).Append("</p></section>\n");
        html.Append("<section class=\"center\" data-for=\"unpaired\"").Append(Hidden(s, ScreenViews.Unpaired)).Append('>')
            .Append(Icons.Alert).Append("<h1>").Append(Html.Encode(t.NotPairedTitle)).Append("</h1><p>").Append(Html.Encode(t.NotPairedText)).Append("</p></section>\n");
        html.Append("<p class=\"toast\" role=\"status\" aria-live=\"polite\" hidden></p>\n</main>");

        return new HtmlPage(StatusCodes.Status200OK, PageKind.Screen, brandName ?? t.Welcome, html.ToString(),
            lang: texts.Lang, scriptSrc: ScreenAssets.ScriptPath, styles: ScreenStyles.Terminal + ScreenStyles.Brand(m.Settings.Brand));
    }

    /// <summary>A revoked, tampered or unknown screen link: what to do, in the screen's own look, never a browser error page.</summary>
    public static HtmlPage Unpaired(CustomerTexts texts)
    {
        var t = texts.Screen;
        var body = $"<main id=\"screen\" class=\"terminal\" data-view=\"unpaired\"><section class=\"center\" data-for=\"unpaired\">{Icons.Alert}"
            + $"<h1>{Html.Encode(t.NotPairedTitle)}</h1><p>{Html.Encode(t.NotPairedText)}</p></section></main>";
        return new HtmlPage(StatusCodes.Status404NotFound, PageKind.Screen, t.NotPairedTitle, body, lang: texts.Lang,
            styles: ScreenStyles.Terminal + ScreenStyles.Brand(new LocationBrand()));
    }

    private static string Timer(ScreenTexts t) =>
        $"<div class=\"timer\" role=\"timer\">{Html.Encode(t.ExpiresIn)} <b class=\"countdown\">–:––</b></div><div class=\"bar\"><span></span></div>";

    private static string Hidden(ScreenSnapshot s, string view) => s.View == view ? "" : " hidden";

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
