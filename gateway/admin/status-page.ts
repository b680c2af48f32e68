/**
 * GET /status for a browser: one self-contained HTML page (inline CSS and script, no external
 * requests, so it works on an air-gapped admin port) that polls the same URL as JSON every second and
 * redraws a row per worker. The formatting comes from status-page-view.ts; the DOM is built with
 * textContent only, so nothing in the status (a version string, say) is ever parsed as HTML.
 */
import { VIEW_FUNCTIONS } from './status-page-view.ts';

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --fg: #1d2330; --muted: #667085; --line: #e4e7ec;
  --ok: #12805c; --warn: #b54708; --info: #175cd3; --bad: #b42318; --bar: #2e90fa; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1217; --card: #181c23; --fg: #e6e9ef; --muted: #98a2b3;
  --line: #2a303a; --ok: #47cd89; --warn: #fdb022; --info: #84adff; --bad: #f97066; --bar: #53b1fd; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 40px; }
header { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 20px; margin: 0; letter-spacing: -0.01em; }
#link { font-size: 13px; color: var(--muted); }
#link::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--muted); }
#link.live::before { background: var(--ok); } #link.down { color: var(--bad); } #link.down::before { background: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 18px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.card .value { font-size: 20px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .value.small { font-size: 14px; font-weight: 500; }
#draining.on { color: var(--warn); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
th, td { padding: 9px 12px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.stale td { color: var(--bad); }
.state { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.state-ready { color: var(--ok); } .state-booting { color: var(--warn); } .state-draining { color: var(--info); } .state-killed { color: var(--bad); }
.elu { display: flex; align-items: center; gap: 8px; justify-content: flex-end; }
.bar { width: 90px; height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; }
.fill { height: 100%; background: var(--bar); }
.elu span { min-width: 3.2em; text-align: right; }
.empty { text-align: center; color: var(--muted); padding: 22px; }
footer { margin-top: 12px; font-size: 12px; color: var(--muted); }
`;

const BODY = `
<main>
  <header><h1>Gateway worker pool</h1><span id="link">connecting…</span></header>
  <section class="cards">
    <div class="card"><div class="label">Serving / target</div><div class="value" id="serving">–</div></div>
    <div class="card"><div class="label">Bounds</div><div class="value" id="bounds">–</div></div>
    <div class="card"><div class="label">Draining</div><div class="value" id="draining">–</div></div>
    <div class="card"><div class="label">Restarts</div><div class="value small" id="restarts">–</div></div>
    <div class="card"><div class="label">Master</div><div class="value small" id="master">–</div><div class="label" id="uptime"></div></div>
  </section>
  <table>
    <thead><tr><th class="num">Id</th><th class="num">PID</th><th class="num">Age</th><th>State</th><th class="num">Requests</th>
      <th class="num">In flight</th><th class="num" title="open WebSockets / event streams">WS / streams</th><th class="num">Event loop</th><th class="num">RSS</th><th class="num">Last heartbeat</th></tr></thead>
    <tbody id="workers"><tr><td class="empty" colspan="10">waiting for the first status…</td></tr></tbody>
  </table>
  <footer>Refreshed every second from this URL as JSON (<code>Accept: application/json</code>).</footer>
</main>
`;

// Runs in the browser, after the view functions. Rebuilds the rows each second: at most a few dozen.
const CLIENT = `
function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.textContent = text;
  return td;
}
function drawRow(row) {
  const tr = document.createElement('tr');
  tr.dataset.worker = row.id;
  if (row.stale) {
    tr.className = 'stale';
    tr.title = 'no heartbeat for over 5 s';
  }
  tr.append(cell(row.id, 'num'), cell(row.pid, 'num'), cell(row.age, 'num'));
  const state = document.createElement('span');
  state.className = 'state state-' + row.state;
  state.textContent = row.state;
  const stateCell = cell('', '');
  stateCell.append(state);
  tr.append(stateCell, cell(row.requests, 'num'), cell(row.inFlight, 'num'), cell(row.longLived, 'num'));
  const elu = cell('', 'num');
  const wrap = document.createElement('div');
  wrap.className = 'elu';
  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('div');
  fill.className = 'fill';
  fill.style.width = row.eluPercent + '%';
  bar.append(fill);
  const label = document.createElement('span');
  label.textContent = row.elu;
  wrap.append(bar, label);
  elu.append(wrap);
  tr.append(elu, cell(row.rss, 'num'), cell(row.lastSeen, 'num'));
  return tr;
}
function draw(status, now) {
  const summary = poolSummary(status, now);
  for (const key of ['serving', 'bounds', 'restarts', 'master']) document.getElementById(key).textContent = summary[key];
  const draining = document.getElementById('draining');
  draining.textContent = summary.draining ? 'yes' : 'no';
  draining.className = 'value' + (summary.draining ? ' on' : '');
  document.getElementById('uptime').textContent = 'up ' + summary.uptime;
  const rows = workerRows(status, now);
  const body = document.getElementById('workers');
  if (rows.length === 0) {
    const empty = cell('no workers', 'empty');
    empty.colSpan = 9;
    const tr = document.createElement('tr');
    tr.append(empty);
    body.replaceChildren(tr);
  } else body.replaceChildren(...rows.map(drawRow));
}
function setLink(state, text) {
  const link = document.getElementById('link');
  link.className = state;
  link.textContent = text;
}
async function refresh() {
  try {
    const res = await fetch(location.pathname + '?format=json', { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    draw(await res.json(), Date.now());
    setLink('live', 'live · ' + new Date().toLocaleTimeString());
  } catch (error) {
    setLink('down', 'cannot reach the gateway (' + error.message + '), retrying');
  } finally {
    setTimeout(refresh, 1000);
  }
}
refresh();
`;

/** The HTML status page; the same string every time, so the admin listener may cache it. */
export function renderStatusPage(): string {
  const view = VIEW_FUNCTIONS.map((fn) => fn.toString()).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gateway status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY}
<script>
"use strict";
${view}
${CLIENT}
</script>
</body>
</html>
`;
}
