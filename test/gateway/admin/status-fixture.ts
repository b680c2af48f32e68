/**
 * A canned PoolStatus for the status page tests, and a tiny node:http server that serves the page and
 * that status the way the admin listener does (HTML for browsers, JSON for Accept: application/json).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderStatusPage } from '../../../gateway/admin/status-page.ts';
import type { PoolStatus } from '../../../gateway/protocol.ts';

/** Four workers in every state, one of them silent for 7 s, as of `now`. */
export function cannedStatus(now: number): PoolStatus {
  return {
    master: { pid: 4100, startedAt: now - 3 * 3600_000 - 125_000, version: '0.1.0' },
    target: 3,
    minWorkers: 1,
    maxWorkers: 4,
    draining: false,
    restarts: { crash: 2, recycle: 5 },
    workers: [
      { id: 7, pid: 4187, state: 'ready', startedAt: now - 3 * 3600_000, lastSeenMs: 240, generation: 1, requests: 152_311, inFlight: 4, webSockets: 1_204, streams: 3, elu: 0.83, rss: 92.4 * 1024 * 1024 },
      { id: 9, pid: 4203, state: 'ready', startedAt: now - 47 * 60_000, lastSeenMs: 7_200, generation: 1, requests: 20_114, inFlight: 1, elu: 0.41, rss: 71.9 * 1024 * 1024 },
      { id: 11, pid: 4230, state: 'booting', startedAt: now - 2_000, lastSeenMs: 900, generation: 2, requests: 0, inFlight: 0, elu: 0.05, rss: 38.2 * 1024 * 1024 },
      { id: 8, pid: 4190, state: 'draining', startedAt: now - 2 * 3600_000, lastSeenMs: 310, generation: 1, requests: 98_002, inFlight: 2, elu: 0.12, rss: 88 * 1024 * 1024 },
    ],
  };
}

/** Serves the page at /status and `status()` as JSON; resolves with the base URL once listening. */
export async function startStatusServer(status: () => PoolStatus): Promise<{ url: string; server: Server }> {
  const page = renderStatusPage();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/status') return void res.writeHead(404).end();
    const wantsJson = (req.headers.accept ?? '').startsWith('application/json') || url.searchParams.get('format') === 'json';
    if (wantsJson) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status()));
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/status`, server };
}
