namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal screen's script, served by the gateway (no CDN): it follows the server's state events with an
/// <c>EventSource</c>, reconnects with backoff when the stream fails (and re-reads the state, which is always the
/// first event), counts down the session, rotates the idle carousel (redrawn when an <c>idle</c> event brings the
/// location's new list) and posts self-starts. It never trusts a live
/// view past its deadline: a session whose countdown ran out without news makes it reconnect.
/// </summary>
internal static class ScreenScript
{
    public const string Source = """
        (() => {
          'use strict';
          const root = document.getElementById('screen');
          if (!root || !root.dataset.events) return;
          const d = root.dataset;
          const texts = JSON.parse(d.texts || '{}');
          const sections = [...root.querySelectorAll('[data-for]')];
          const clocks = [...root.querySelectorAll('.countdown')];
          const bars = [...root.querySelectorAll('.bar span')];
          const toast = root.querySelector('.toast');
          const qr = root.querySelector('[data-for=live] .qr img');
          let snap = JSON.parse(d.state || '{"view":"idle"}');
          let offset = (Date.parse(d.serverTime) || Date.now()) - Date.now();
          let idleVersion = d.idleVersion || '';
          let source = null, backoff = 1000, retryTimer = 0, longest = 1, overdueSince = 0, unpaired = false, starting = false, toastTimer = 0;

          function note(text, ms) {
            clearTimeout(toastTimer);
            toast.textContent = text || '';
            toast.hidden = !text;
            if (text && ms) toastTimer = setTimeout(() => note(''), ms);
          }

          function show(s) {
            const sameSession = s.sessionId && s.sessionId === snap.sessionId;
            snap = s;
            root.dataset.view = s.view;
            if (s.sessionId) root.dataset.sessionId = s.sessionId; else delete root.dataset.sessionId;
            for (const section of sections) section.hidden = section.dataset.for !== s.view;
            for (const h of root.querySelectorAll('.headline')) h.textContent = s.headline || '';
            for (const b of root.querySelectorAll('.body')) { b.textContent = s.body || ''; b.hidden = !s.body; }
            if (s.qr && qr.getAttribute('src') !== s.qr && !sameSession) qr.src = s.qr;
            if (!sameSession) longest = 1;
            overdueSince = 0;
            tick();
          }

          function tick() {
            if (!snap.expiresAt || (snap.view !== 'live' && snap.view !== 'scanned')) return;
            const left = Math.max(0, Date.parse(snap.expiresAt) - (Date.now() + offset));
            longest = Math.max(longest, left);
            const s = Math.ceil(left / 1000);
            const text = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
            for (const c of clocks) c.textContent = text;
            for (const b of bars) b.style.transform = 'scaleX(' + (left / longest).toFixed(4) + ')';
            // The server says when a session ends; if it has not 4 s after the deadline, the stream is stale.
            if (left === 0) {
              overdueSince = overdueSince || Date.now();
              if (Date.now() - overdueSince > 4000) { overdueSince = Date.now(); connect(); }
            }
          }

          function retry() {
            if (unpaired) return;
            note(texts.reconnecting);
            clearTimeout(retryTimer);
            retryTimer = setTimeout(connect, backoff + Math.random() * 500);
            backoff = Math.min(backoff * 2, 30000);
          }

          function connect() {
            if (unpaired) return;
            clearTimeout(retryTimer);
            if (source) source.close();
            const es = source = new EventSource(d.events + '?idle=' + encodeURIComponent(idleVersion));
            es.addEventListener('state', e => {
              backoff = 1000;
              note('');
              try { show(JSON.parse(e.data)); } catch (_) { /* a broken event: the next one will do */ }
            });
            es.addEventListener('idle', e => {
              try { redraw(JSON.parse(e.data)); } catch (_) { /* a broken event: the next one will do */ }
            });
            es.addEventListener('heartbeat', e => {
              backoff = 1000;
              note('');
              const t = Date.parse(e.data);
              if (t) offset = t - Date.now();
            });
            es.addEventListener('unpaired', () => {
              unpaired = true;
              es.close();
              note('');
              show({ view: 'unpaired' });
            });
            es.onerror = () => {
              if (es !== source) return;
              // CLOSED: the server refused (a restart, a proxy error) and the browser gave up; try again ourselves.
              // CONNECTING: the browser retries by itself after the server's retry hint; just say so.
              if (es.readyState === EventSource.CLOSED) retry(); else note(texts.reconnecting);
            };
          }

          const slideBox = root.querySelector('.slides');
          let current = 0;

          function el(tag, cls, text) {
            const e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text) e.textContent = text;
            return e;
          }

          // The location's idle widgets changed: the same slides the server renders, built from the event's data.
          function redraw(list) {
            idleVersion = list.version || '';
            const widgets = list.widgets || [];
            const slides = widgets.map((w, i) => {
              const a = el('article', 'slide' + (i === 0 ? ' current' : ''));
              a.dataset.widgetId = String(w.id);
              if (w.icon) { const img = el('img', 'wicon'); img.src = w.icon; img.alt = ''; a.append(img); } else a.append(el('div', 'wicon none'));
              const copy = el('div', 'copy');
              copy.append(el('h1', '', w.name));
              if (w.description && w.description.trim()) copy.append(el('p', '', w.description));
              if (d.selfStart === 'true') {
                const b = el('button', 'tap', texts.tap);
                b.type = 'button';
                b.dataset.start = String(w.id);
                copy.append(b);
              }
              a.append(copy);
              return a;
            });
            if (slides.length === 0) {
              const a = el('article', 'slide current calm'), copy = el('div', 'copy');
              const brand = root.querySelector('.brand-name');
              copy.append(el('h1', '', texts.welcome));
              if (brand && brand.textContent) copy.append(el('p', '', brand.textContent));
              a.append(copy);
              slides.push(a);
            }
            slideBox.replaceChildren(...slides);
            const old = root.querySelector('.dots');
            if (old) old.remove();
            if (widgets.length > 1) {
              const dots = el('div', 'dots');
              dots.setAttribute('aria-hidden', 'true');
              widgets.forEach((_, i) => dots.append(el('i', i === 0 ? 'on' : '')));
              slideBox.after(dots);
            }
            current = 0;
          }

          setInterval(() => {
            const slides = [...root.querySelectorAll('.slide')];
            const dots = [...root.querySelectorAll('.dots i')];
            if (snap.view !== 'idle' || slides.length < 2) return;
            current = current % slides.length;
            slides[current].classList.remove('current');
            if (dots[current]) dots[current].classList.remove('on');
            current = (current + 1) % slides.length;
            slides[current].classList.add('current');
            if (dots[current]) dots[current].classList.add('on');
          }, (Number(d.carouselSeconds) || 8) * 1000);

          root.addEventListener('click', async e => {
            const button = e.target.closest('[data-start]');
            if (!button || d.selfStart !== 'true' || starting || snap.view !== 'idle') return;
            starting = true;
            note(texts.starting);
            try {
              const r = await fetch(d.start, {
                method: 'POST', cache: 'no-store', credentials: 'same-origin',
                headers: { 'content-type': 'application/json', 'x-screen-start': d.startToken },
                body: JSON.stringify({ widgetId: Number(button.dataset.start) }),
              });
              if (r.ok) {
                note('');
                const s = (await r.json()).data;
                if (s && s.state) show(s.state);
              } else {
                const p = await r.json().catch(() => ({}));
                note(p.code === 'rate_limited' ? texts.busy : p.code === 'widget_not_found' ? texts.unavailable : texts.failed, 6000);
              }
            } catch (_) {
              note(texts.failed, 6000);
            } finally {
              starting = false;
            }
          });

          show(snap);
          setInterval(tick, 250);
          connect();
        })();
        """;
}
