using System.Globalization;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Customer;

/// <summary>
/// The customer-facing screen: the QR code, the widget's headline and a countdown. The server renders the current
/// view; a small script polls the state URL every second and switches between live, scanned, thanks and ended.
/// </summary>
internal static class ScreenPage
{
    public static HtmlPage Render(ScreenView view, DateTimeOffset now, string qrUrl, string stateUrl)
    {
        var state = ScreenState.From(view, now);
        var current = CurrentView(state);
        var headline = Html.Encode(view.Headline);
        var body = string.IsNullOrWhiteSpace(view.Body) ? "" : $"<p>{Html.Encode(view.Body)}</p>";
        var page = $"""
            <main id="screen" data-state-url="{Html.Encode(stateUrl)}" data-state="{Json(state.State)}" data-expires-at="{Iso(state.ExpiresAt)}" data-server-time="{Iso(now)}" data-scanned="{Bool(state.Scanned)}" data-converted="{Bool(state.Converted)}">
            <section class="view" data-view="live"{Hidden(current, "live")}>
              <div class="qr"><img src="{Html.Encode(qrUrl)}" alt="QR code: scan it with your phone's camera" width="600" height="600"></div>
              <div class="copy">
                <h1>{headline}</h1>
                {body}
                <p class="hint">{Icons.Phone}<span>Point your phone's camera at the code</span></p>
                {Timer()}
              </div>
            </section>
            <section class="view" data-view="scanned"{Hidden(current, "scanned")}>
              <div class="big">{Icons.Phone}</div>
              <div class="copy">
                <h1>Scanned — continue on your phone</h1>
                <p>{headline}</p>
                {Timer()}
              </div>
            </section>
            <section class="center" data-view="thanks"{Hidden(current, "thanks")}>
              {Icons.Check}<h1>Thanks!</h1><p>You're all set.</p>
            </section>
            <section class="center ended" data-view="ended"{Hidden(current, "ended")}>
              {Icons.Clock}<h1>Session ended</h1><p>Thanks for stopping by.</p>
            </section>
            </main>
            """;
        return new HtmlPage(StatusCodes.Status200OK, PageKind.Screen, view.Headline, page, Script);
    }

    private static string CurrentView(ScreenState s) =>
        s.Converted ? "thanks" : s.State != SessionState.Active ? "ended" : s.Scanned ? "scanned" : "live";

    private static string Timer() =>
        "<div class=\"timer\" role=\"timer\">Expires in <b class=\"countdown\">–:––</b></div><div class=\"bar\"><span></span></div>";

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
          async function poll() {
            try {
              const r = await fetch(d.stateUrl, { cache: 'no-store', headers: { accept: 'application/json' } });
              if (r.status === 404) { state = 'ended'; render(); return; }
              if (r.ok) {
                const s = (await r.json()).data;
                state = s.state; scanned = s.scanned; converted = s.converted;
                expiresAt = Date.parse(s.expiresAt); offset = Date.parse(s.serverTime) - Date.now();
                render();
              }
            } catch (e) { /* offline for a moment: keep counting, try again */ }
            // An ended session can still convert if the customer is finishing on the phone.
            const next = state === 'active' ? 1000 : (scanned && !converted ? 3000 : 0);
            if (next) setTimeout(poll, next);
          }
          render();
          setInterval(render, 250);
          setTimeout(poll, 1000);
        })();
        """;
}
