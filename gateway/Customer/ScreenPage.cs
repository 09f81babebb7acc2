using System.Globalization;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Customer;

/// <summary>
/// The customer-facing screen of one session: the QR code, the widget's headline and a countdown. The server renders
/// the current view; a small script follows the session's state events (<c>/s/{token}/events</c>) and switches
/// between live, scanned, thanks and ended — no polling.
/// </summary>
internal static class ScreenPage
{
    public static HtmlPage Render(ScreenView view, DateTimeOffset now, string qrUrl, string eventsUrl, CustomerTexts texts)
    {
        var t = texts.Screen;
        var state = ScreenState.From(view, now);
        var current = CurrentView(state);
        var headline = Html.Encode(view.Headline);
        var body = string.IsNullOrWhiteSpace(view.Body) ? "" : $"<p>{Html.Encode(view.Body)}</p>";
        var page = $"""
            <main id="screen" data-events-url="{Html.Encode(eventsUrl)}" data-state="{Json(state.State)}" data-expires-at="{Iso(state.ExpiresAt)}" data-server-time="{Iso(now)}" data-scanned="{Bool(state.Scanned)}" data-converted="{Bool(state.Converted)}">
            <section class="view" data-view="live"{Hidden(current, "live")}>
              <div class="qr"><img src="{Html.Encode(qrUrl)}" alt="{Html.Encode(t.QrAlt)}" width="600" height="600"></div>
              <div class="copy">
                <h1>{headline}</h1>
                {body}
                <p class="hint">{Icons.Phone}<span>{Html.Encode(t.ScanHint)}</span></p>
                {Timer(t)}
              </div>
            </section>
            <section class="view" data-view="scanned"{Hidden(current, "scanned")}>
              <div class="big">{Icons.Phone}</div>
              <div class="copy">
                <h1>{Html.Encode(t.ScannedTitle)}</h1>
                <p>{headline}</p>
                {Timer(t)}
              </div>
            </section>
            <section class="center" data-view="thanks"{Hidden(current, "thanks")}>
              {Icons.Check}<h1>{Html.Encode(t.ThanksTitle)}</h1><p>{Html.Encode(t.ThanksText)}</p>
            </section>
            <section class="center ended" data-view="ended"{Hidden(current, "ended")}>
              {Icons.Clock}<h1>{Html.Encode(t.EndedTitle)}</h1><p>{Html.Encode(t.EndedText)}</p>
            </section>
            </main>
            """;
        return new HtmlPage(StatusCodes.Status200OK, PageKind.Screen, view.Headline, page, Script, lang: texts.Lang);
    }

    private static string CurrentView(ScreenState s) =>
        s.Converted ? "thanks" : s.State != SessionState.Active ? "ended" : s.Scanned ? "scanned" : "live";

    private static string Timer(ScreenTexts t) =>
        $"<div class=\"timer\" role=\"timer\">{Html.Encode(t.ExpiresIn)} <b class=\"countdown\">–:––</b></div><div class=\"bar\"><span></span></div>";

    private static string Hidden(string current, string view) => current == view ? "" : " hidden";

    private static string Json(SessionState state) => Html.Encode(System.Text.Json.JsonSerializer.Serialize(state, WidgetsJson.Options).Trim('"'));

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";

    private const string Script = """
        (() => {
          const root = document.getElementById('screen');
          const d = root.dataset;
          let state = d.state, scanned = d.scanned === 'true', converted = d.converted === 'true';
          let expiresAt = Date.parse(d.expiresAt), offset = Date.parse(d.serverTime) - Date.now();
          let longest = 1;
          const views = [...root.querySelectorAll('[data-view]')];
          const clocks = [...root.querySelectorAll('.countdown')];
          const bars = [...root.querySelectorAll('.bar span')];
          const current = () => converted ? 'thanks' : state !== 'active' ? 'ended' : scanned ? 'scanned' : 'live';
          function render() {
            const view = current();
            for (const v of views) v.hidden = v.dataset.view !== view;
            const left = Math.max(0, expiresAt - (Date.now() + offset));
            longest = Math.max(longest, left);
            const s = Math.ceil(left / 1000);
            const text = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
            for (const c of clocks) c.textContent = text;
            for (const b of bars) b.style.transform = 'scaleX(' + (left / longest).toFixed(4) + ')';
          }
          function apply(data) {
            const s = JSON.parse(data);
            state = s.state; scanned = s.scanned; converted = s.converted;
            expiresAt = Date.parse(s.expiresAt); offset = Date.parse(s.serverTime) - Date.now();
            render();
          }
          // The session's state is pushed; the browser reconnects by itself after a drop (the first event is the
          // current state), and after a refused connection we try again with backoff.
          let backoff = 1000, source = null;
          function connect() {
            const es = source = new EventSource(d.eventsUrl);
            es.addEventListener('state', e => { backoff = 1000; apply(e.data); });
            es.addEventListener('heartbeat', e => { backoff = 1000; apply(e.data); });
            es.onerror = () => {
              if (es !== source || es.readyState !== EventSource.CLOSED) return;
              setTimeout(connect, backoff);
              backoff = Math.min(backoff * 2, 30000);
            };
          }
          render();
          setInterval(render, 250);
          connect();
        })();
        """;
}
