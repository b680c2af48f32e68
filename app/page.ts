/**
 * The home page. Every asset URL comes from the build manifest, so the browser (and nginx's
 * one-year cache) always sees a name that changes when the file does.
 */
import { html } from 'hono/html';

/** Values the page shows; `asset` maps a plain static name to its public URL. */
export interface PageInput {
  asset: (name: string) => string;
  workerId: number;
  pid: number;
}

/** The whole HTML document. */
export function renderHomePage({ asset, workerId, pid }: PageInput) {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Gateway kit — sample app</title>
  <link rel="stylesheet" href="${asset('style.css')}">
  <link rel="icon" href="${asset('logo.svg')}" type="image/svg+xml">
</head>
<body>
  <header>
    <img src="${asset('logo.svg')}" alt="Three stacked tiers" width="56" height="56">
    <div>
      <h1>Gateway kit sample app</h1>
      <p>nginx → gateway (worker pool) → this Hono app</p>
    </div>
  </header>
  <main>
    <section>
      <h2>This page</h2>
      <p>Rendered by worker <strong id="worker-id">${workerId}</strong> (pid ${pid}).</p>
      <p class="muted">Its stylesheet, script and logo came from nginx under fingerprinted names.</p>
      <p class="status" id="script-status">JavaScript not loaded</p>
    </section>
    <section>
      <h2>Which worker answers?</h2>
      <button id="whoami" type="button">GET /api/whoami</button>
      <pre id="whoami-out"></pre>
    </section>
    <section>
      <h2>Live: WebSocket echo</h2>
      <form id="echo-form">
        <input id="echo-text" placeholder="Say something" maxlength="400">
        <button type="submit">Send over /live/ws</button>
      </form>
      <p class="muted" id="echo-status">connecting…</p>
      <pre id="echo-out"></pre>
    </section>
    <section>
      <h2>Live: server clock (SSE)</h2>
      <p><strong id="clock">–</strong> <span class="muted" id="clock-worker"></span></p>
    </section>
    <section>
      <h2>CPU work</h2>
      <button id="work" type="button">GET /api/work?ms=200</button>
      <pre id="work-out"></pre>
    </section>
    <section>
      <h2>Validated POST</h2>
      <form id="note-form">
        <input id="note-text" name="text" placeholder="A note (empty → 400)" maxlength="400">
        <button type="submit">POST /api/notes</button>
      </form>
      <pre id="note-out"></pre>
    </section>
  </main>
  <footer>Replace <code>app/</code> with your own app: see docs/your-own-app.md.</footer>
  <script type="module" src="${asset('app.js')}"></script>
</body>
</html>`;
}
