namespace Widgets.Gateway.OperatorConsole;

/// <summary>
/// The console's stylesheet and its one script, served from this gateway (the console's CSP allows nothing else):
/// no CDN, no web font, no framework script. The script only refreshes the terminals page's lane states.
/// </summary>
internal static class ConsoleAssets
{
    public const string Css = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #4a5260; --line: #c9cfd8; --accent: #1f4fd1; --bad: #a4161a; --ok: #0f7a3d; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
        .skip:focus { left: .5rem; z-index: 10; }
        header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .6rem 1.2rem; background: #14213d; color: #fff; }
        header.top a { color: #fff; }
        header.top .brand { font-weight: 700; text-decoration: none; font-size: 1.1rem; }
        header.top nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
        header.top .who { color: #dfe6f3; margin-right: .4rem; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 3rem; background: #fff; min-height: 80vh; }
        main:focus { outline: none; }
        h1 { font-size: 1.6rem; margin: .6rem 0 .8rem; }
        h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; }
        h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
        nav.location { border-bottom: 1px solid var(--line); margin-bottom: .6rem; }
        nav.location .where { margin: .2rem 0; color: var(--muted); }
        nav.location ul { list-style: none; display: flex; flex-wrap: wrap; gap: .2rem 1rem; padding: 0; margin: .2rem 0 .6rem; }
        nav.location a[aria-current=page] { font-weight: 700; color: var(--ink); text-decoration: none; border-bottom: 3px solid var(--accent); }
        .hint, .empty { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .93rem; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
        thead th { background: #eef1f5; }
        .table-wrap { overflow-x: auto; }
        label { display: block; font-weight: 600; margin: .7rem 0 .2rem; }
        label.check { display: inline-flex; gap: .35rem; align-items: center; font-weight: 400; margin: .2rem 1rem .2rem 0; }
        input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #7a8290; border-radius: 4px; max-width: 100%; }
        input:not([type=checkbox]), select, textarea { width: 100%; }
        textarea { min-height: 4.5rem; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .4rem 1rem 1rem; }
        legend { font-weight: 700; padding: 0 .3rem; }
        button, .button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: .45rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; margin-top: .6rem; }
        button.secondary { background: #4a5260; }
        button.danger { background: var(--bad); }
        button.link { background: none; color: inherit; text-decoration: underline; padding: 0; margin: 0; }
        form.inline { display: inline; }
        form.narrow { max-width: 26rem; }
        form.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0 1rem; align-items: end; max-width: 48rem; }
        .actions { display: flex; flex-wrap: wrap; gap: .3rem; }
        .actions button { margin: 0; padding: .25rem .6rem; font-size: .9rem; }
        .alert { border: 2px solid var(--bad); background: #fdeeee; padding: .5rem 1rem; border-radius: 6px; margin: .6rem 0; }
        .notice { border: 2px solid var(--ok); background: #e9f6ee; padding: .5rem 1rem; border-radius: 6px; }
        .notice h2 { margin-top: .4rem; }
        .error { color: var(--bad); margin: .2rem 0; font-weight: 600; }
        .secret { font: 1.05rem ui-monospace, monospace; background: #fff7d6; padding: .4rem .6rem; border: 1px dashed #8a6d00; word-break: break-all; }
        .cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .6rem; }
        .cards a { display: block; padding: .8rem; border: 1px solid var(--line); border-radius: 6px; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
        .chart { max-width: 760px; display: block; margin: .4rem 0; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: .82rem; background: #e3e7ee; }
        .badge.active, .badge.live { background: #d7f0df; color: #0b5d2e; }
        .badge.paused, .badge.scanned { background: #fff0c2; color: #6b5000; }
        .badge.archived { background: #eceff3; color: #4a5260; }
        .previews { display: grid; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); gap: 1rem; align-items: start; }
        .preview { margin: 0; }
        .preview figcaption { font-weight: 600; margin-bottom: .3rem; }
        .brand-preview { background: var(--bg); color: var(--fg); }
        .brand-preview .pv-text, .brand-preview .pv-hint { color: var(--muted); }
        .preview-screen { border: 10px solid #222; border-radius: 10px; padding: .8rem 1rem; aspect-ratio: 16 / 10; display: flex; flex-direction: column; gap: .4rem; overflow: hidden; }
        .preview-screen p { margin: 0; }
        .pv-brand { display: flex; align-items: center; gap: .5rem; font-weight: 800; }
        .pv-logo { height: 1.6rem; max-width: 6rem; object-fit: contain; }
        .pv-slide, .pv-live { flex: 1; display: grid; grid-template-columns: auto minmax(0, 1fr); align-items: center; gap: .8rem; }
        .pv-icon { width: 4.5rem; height: 4.5rem; border-radius: .8rem; background: var(--primary); padding: .5rem; object-fit: contain; display: block; }
        .pv-icon.none { opacity: .25; }
        .pv-title { font-weight: 800; font-size: 1.2rem; line-height: 1.15; }
        .pv-text { margin-top: .3rem; }
        .pv-hint { text-align: center; font-size: .85rem; }
        .pv-live .pv-hint { text-align: left; margin-top: .4rem; }
        .pv-tap { display: inline-block; margin-top: .5rem; padding: .3rem .9rem; border-radius: 1rem; background: var(--primary); color: var(--on-primary); font-weight: 800; }
        .pv-qr { width: 5.5rem; height: 5.5rem; background: repeating-linear-gradient(45deg, #222 0 6px, #fff 6px 12px); border: 5px solid #fff; box-shadow: 0 0 0 3px var(--primary); }
        .preview-phone { border: 8px solid #222; border-radius: 22px; background: #fff; color: #0f172a; padding: 1rem .8rem; }
        .preview-phone .pv-title { margin: 0 0 .3rem; }
        .preview-phone .pv-text { color: #334155; margin: 0 0 .6rem; }
        .pv-form { border: 0; padding: 0; margin: 0; }
        .pv-form .field { display: block; font-weight: 600; margin: .5rem 0; }
        .pv-form .field input, .pv-form .field textarea { display: block; width: 100%; margin-top: .2rem; background: #fff; color: #0f172a; border: 1.5px solid #cbd5e1; border-radius: 10px; }
        .pv-form .row { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
        .pv-form .check { display: flex; gap: .4rem; align-items: flex-start; font-weight: 400; font-size: .9rem; margin: .5rem 0; }
        .pv-form fieldset { border: 0; padding: 0; margin: .5rem 0; }
        .pv-form legend { padding: 0; font-weight: 600; }
        .pv-form .choices { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .2rem; }
        .pv-form .choice input { position: absolute; opacity: 0; }
        .pv-form .choice span { display: inline-block; min-width: 2.2rem; padding: .3rem .5rem; text-align: center; border: 1.5px solid #cbd5e1; border-radius: 10px; font-weight: 400; }
        .pv-form .scale { display: flex; justify-content: space-between; font-size: .8rem; color: #475569; }
        .pv-form .rules { background: #f8fafc; border-radius: 10px; padding: .4rem .6rem; color: #475569; font-size: .85rem; white-space: pre-line; }
        .pv-form .hint { font-size: .85rem; color: #475569; margin: .2rem 0; }
        .pv-button { display: block; margin-top: .6rem; padding: .6rem; border-radius: 12px; background: #2563eb; color: #fff; font-weight: 700; text-align: center; }
        .lanes li { margin: .3rem 0; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        input.link-text { font: .82rem ui-monospace, monospace; min-width: 14rem; }
        td .actions { margin-top: .3rem; align-items: center; }
        details.confirm { margin-bottom: .4rem; }
        details.confirm summary { cursor: pointer; color: var(--bad); font-weight: 600; }
        details.confirm p { margin: .3rem 0; max-width: 18rem; }
        details.confirm button { margin: 0 0 .3rem; }
        dl.counts { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; }
        dl.counts dt { font-weight: 600; }
        dl.counts dd { margin: 0; }
        @media (max-width: 640px) {
          main { padding: .6rem .7rem 2rem; }
          table.wide thead { display: none; }
          table.wide tr { display: block; border-bottom: 2px solid var(--line); padding: .3rem 0; }
          table.wide td, table.wide th { display: block; border: 0; padding: .1rem .2rem; }
          table.wide td.actions { display: flex; align-items: center; gap: .6rem; }
        }
        """;

    public const string Script = """
        // Terminals page: refreshes each lane's state from /console/…/terminals/live (same origin, the console's cookie).
        (function () {
          var list = document.querySelector('[data-live-url]');
          if (!list) { return; }
          var url = list.getAttribute('data-live-url');
          var status = document.getElementById('live-status');
          function show(lanes) {
            lanes.forEach(function (lane) {
              var row = list.querySelector('[data-lane="' + CSS.escape(lane.terminalId) + '"]');
              if (!row) { return; }
              row.setAttribute('data-view', lane.view);
              var view = row.querySelector('.view');
              view.textContent = lane.view === 'idle' ? 'idle' : lane.view + ': ' + (lane.headline || '') + (lane.expiresAt ? ' (until ' + new Date(lane.expiresAt).toLocaleTimeString() + ')' : '');
              view.className = 'view badge ' + lane.view;
            });
          }
          function poll() {
            fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
              .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
              .then(function (lanes) { show(lanes); if (status) { status.textContent = 'Live: updated ' + new Date().toLocaleTimeString(); } })
              .catch(function () { if (status) { status.textContent = 'Live updates paused; retrying.'; } })
              .finally(function () { setTimeout(poll, 1000); });
          }
          poll();
        })();
        // Terminals page: "Copy link" puts the lane's screen link on the clipboard (the field beside it stays selectable without scripts).
        document.querySelectorAll('[data-copy]').forEach(function (button) {
          button.addEventListener('click', function () {
            var field = document.getElementById(button.getAttribute('data-copy'));
            if (!field) { return; }
            field.select();
            function copied() { button.textContent = 'Copied'; }
            if (navigator.clipboard && navigator.clipboard.writeText) {
              navigator.clipboard.writeText(field.value).then(copied, function () { if (document.execCommand('copy')) { copied(); } });
            } else if (document.execCommand('copy')) {
              copied();
            }
          });
        });
        """;
}
