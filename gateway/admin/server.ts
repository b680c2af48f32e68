/**
 * The admin listener: the master's own HTTP port for probes, operators and Prometheus. It runs in
 * the master, which runs no app code, so a saturated or hung pool never blocks it; it must never
 * be routed through nginx or exposed publicly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PoolStatus } from '../protocol.ts';

/** What the admin listener asks of the master. */
export interface AdminTarget {
  isLive(): boolean;
  isReady(): boolean;
  status(): PoolStatus;
  setTarget(target: number): void;
  /** The range `setTarget` accepts (max is Infinity for a fixed pool, which moves freely upwards). */
  targetBounds(): { min: number; max: number };
  /** Prometheus text exposition; absent when no metrics are wired. */
  metrics?(): Promise<string>;
  /** The HTML status page; absent means JSON only. */
  statusPage?(): string;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function wantsHtml(req: IncomingMessage, url: URL): boolean {
  if (url.searchParams.get('format') === 'json') return false;
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

async function readTarget(req: IncomingMessage, url: URL): Promise<number> {
  const fromQuery = url.searchParams.get('target');
  if (fromQuery !== null) return Number(fromQuery);
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 1024) return Number.NaN;
  }
  try {
    return Number((JSON.parse(body) as { target?: unknown }).target);
  } catch {
    return Number.NaN;
  }
}

function routes(target: AdminTarget): Record<string, Partial<Record<string, Route>>> {
  return {
    '/healthz': { GET: (_q, res) => json(res, target.isLive() ? 200 : 503, { status: target.isLive() ? 'ok' : 'stalled' }) },
    '/readyz': {
      GET: (_q, res) => {
        const ready = target.isReady();
        json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', draining: target.status().draining });
      },
    },
    '/status': {
      GET: (req, res, url) => {
        if (target.statusPage && wantsHtml(req, url)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(target.statusPage());
        } else json(res, 200, target.status());
      },
    },
    '/metrics': {
      GET: async (_q, res) => {
        if (!target.metrics) return json(res, 404, { error: 'metrics are not enabled' });
        const text = await target.metrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
      },
    },
    '/workers': {
      POST: async (req, res, url) => {
        const wanted = await readTarget(req, url);
        const { min, max } = target.targetBounds();
        if (!Number.isInteger(wanted)) return json(res, 400, { error: 'target must be a whole number (?target=N or {"target": N})' });
        // Refused rather than clamped: the operator asked for a pool size it will not get.
        if (wanted < min || wanted > max) {
          const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `within minWorkers..maxWorkers (${min}..${max})`;
          return json(res, 400, { error: `target ${wanted} is out of bounds: it must be ${range}` });
        }
        target.setTarget(wanted);
        json(res, 202, { requested: wanted, minWorkers: target.status().minWorkers, maxWorkers: target.status().maxWorkers });
      },
    },
  };
}

function serve(table: Record<string, Partial<Record<string, Route>>>): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const route = table[url.pathname];
    if (!route) return json(res, 404, { error: `no such endpoint: ${url.pathname}` });
    const handler = route[req.method ?? 'GET'];
    if (!handler) {
      res.setHeader('allow', Object.keys(route).join(', '));
      return json(res, 405, { error: `${req.method} not allowed on ${url.pathname}` });
    }
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
}

export function createAdminServer(target: AdminTarget): Server {
  return serve(routes(target));
}

/**
 * The metrics listener (`metricsBind`): `GET /metrics` and nothing else. A NetworkPolicy filters
 * by port, not path, so a scraper admitted here cannot reach `POST /workers` or `/status`.
 */
export function createMetricsServer(target: AdminTarget): Server {
  return serve({ '/metrics': routes(target)['/metrics']! });
}
