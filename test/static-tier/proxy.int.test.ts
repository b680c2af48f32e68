/**
 * Each static-tier server's proxying, against stand-in gateway replicas (plain node:http servers) so
 * each behaviour can be provoked: a replica that drops connections (a GET is replayed, never a
 * POST), what the gateway receives (forwarded headers, request id, HTTP/1.1 keep-alive).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { SERVER_TRAITS, STATIC_SERVERS, startWebServer, type RunningWebServer } from './web-server.ts';

interface Seen { method: string; headers: IncomingHttpHeaders; httpVersion: string; remotePort: number }

const healthy: Seen[] = [];
const broken: Seen[] = [];
let servers: Server[] = [];
let ports: { good: number; bad: number };

function listen(server: Server): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
}

/** A status, or `closed` when the connection ended without any response. */
const send = (url: string, init?: RequestInit): Promise<number | 'closed'> =>
  fetch(url, init).then(async (r) => (await r.text(), r.status), () => 'closed' as const);

beforeAll(async () => {
  const good = createServer((req, res) => {
    healthy.push({ method: req.method!, headers: req.headers, httpVersion: req.httpVersion, remotePort: req.socket.remotePort! });
    req.resume().on('end', () => res.end('healthy'));
  });
  // A replica whose worker dies mid-request: the connection is cut before any response.
  const bad = createServer((req) => {
    broken.push({ method: req.method!, headers: req.headers, httpVersion: req.httpVersion, remotePort: req.socket.remotePort! });
    req.socket.destroy();
  });
  good.keepAliveTimeout = 75_000;
  servers = [good, bad];
  ports = { bad: await listen(bad), good: await listen(good) };
});

afterAll(async () => {
  servers.forEach((s) => s.closeAllConnections());
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe.each(STATIC_SERVERS)('%s proxying to gateway replicas', (server) => {
  let web: RunningWebServer;

  beforeAll(async () => {
    web = await startWebServer(server, {
      // maxFails 0: the broken replica stays in rotation, so every round-robin turn provokes a failure.
      upstream: { servers: [{ host: '127.0.0.1', port: ports.bad }, { host: '127.0.0.1', port: ports.good }], maxFails: 0 },
    });
  }, 30_000);

  afterAll(async () => {
    await web?.stop();
  });

  it('a GET the broken replica dropped is replayed: by the server itself, or handed back to the client', async () => {
    const before = broken.length;
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push(await send(`${web.site}/page`));
    const dropped = broken.length - before;
    expect(dropped).toBeGreaterThan(0); // the broken one was tried
    if (SERVER_TRAITS[server].retries === 'server') {
      expect(statuses).toEqual(Array(8).fill(200));
    } else {
      // Apache does not replay a request it has sent: each drop reaches the client as a closed
      // connection (a browser replays the GET) or, first on its connection, a 502.
      expect(statuses.filter((s) => s !== 200)).toHaveLength(dropped);
      expect(statuses.every((s) => s === 200 || s === 502 || s === 'closed')).toBe(true);
    }
  });

  it('never replays a POST: the client gets the failure instead', async () => {
    const before = { good: healthy.length, bad: broken.length };
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push(await send(`${web.site}/notes`, { method: 'POST', body: 'x' }));
    const reachedBad = broken.length - before.bad;
    const reachedGood = healthy.length - before.good;
    expect(reachedBad).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 502 || s === 'closed')).toHaveLength(reachedBad);
    expect(reachedGood + reachedBad).toBe(8); // each POST reached exactly one replica
  });

  it('forwards client, scheme, host and request id over HTTP/1.1 keep-alive', async () => {
    const start = healthy.length;
    for (let i = 0; i < 6; i += 1) await send(`${web.site}/headers`, { headers: { 'x-forwarded-for': '6.6.6.6' } });
    await send(`${web.site}/headers`, { headers: { 'x-request-id': `abc-123-${server}` } });
    const seen = healthy.slice(start);
    const first = seen[0]!;
    expect(first.httpVersion).toBe('1.1');
    expect(first.headers['x-forwarded-for']).toBe('127.0.0.1'); // the client's own claim is replaced
    expect(first.headers['x-forwarded-proto']).toBe('http');
    expect(first.headers['x-forwarded-host']).toBe('127.0.0.1');
    expect(first.headers.host).toBe('127.0.0.1');
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    // The last request may have met the broken replica (Apache leaves that replay to the client).
    expect([...healthy, ...broken].some((s) => s.headers['x-request-id'] === `abc-123-${server}`)).toBe(true);
    // nginx sends no Connection header (HTTP/1.1 keeps alive), Apache an explicit Keep-Alive.
    expect(first.headers.connection ?? 'keep-alive').toMatch(/^keep-alive$/i);
    // Keep-alive: fewer connections than requests reached the replica.
    expect(new Set(seen.map((s) => s.remotePort)).size).toBeLessThan(seen.length);
  });
});
