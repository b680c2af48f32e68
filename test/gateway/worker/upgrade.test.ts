import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { WebSocket } from 'ws';
import { appSetOf } from '../../../gateway/interface/index.ts';
import bunStyle from '../../fixtures/apps/bun-style-websocket.ts';
import honoWebSocket from '../../fixtures/apps/hono-websocket.ts';
import wsServer from '../../fixtures/apps/ws-server.ts';
import { workerHarness, type WorkerHarness } from './fake-worker-port.ts';

/** Opens a WebSocket, sends one message, resolves with the reply; rejects on a refused handshake. */
function echo(url: string, text = 'hi'): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(text));
    ws.on('message', (data) => {
      resolve(data.toString());
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

const wsUrl = (h: WorkerHarness, path: string) => h.url(path).replace('http:', 'ws:');
const openFds = () => readdirSync('/proc/self/fd').length;

async function serve(entries: Array<{ prefix: string; app: unknown }>): Promise<WorkerHarness> {
  const h = workerHarness({ loadApps: async () => appSetOf(entries) });
  await h.worker.start();
  await h.port.ready();
  return h;
}

async function stop(h: WorkerHarness): Promise<void> {
  h.worker.drain();
  await h.port.exited();
}

describe('WebSocket upgrades reach the app that owns the path', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await serve([
      { prefix: '/', app: wsServer },
      { prefix: '/chat', app: honoWebSocket },
      { prefix: '/bun', app: bunStyle },
      { prefix: '/plain', app: { fetch: () => new Response('no sockets here', { status: 404 }) } },
      { prefix: '/listener', app: (_req: unknown, res: { end(s: string): void }) => res.end('listener') },
    ]);
  });
  afterAll(() => stop(h));

  test("a Hono app's own upgradeWebSocket works unmodified, under its mount prefix", async () => {
    expect(await echo(wsUrl(h, '/chat/ws'))).toBe('echo:hi:worker=7:prefix=/chat');
  });

  test("a Bun-style app (fetch + websocket handlers, server.upgrade) runs unmodified", async () => {
    const replies = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const ws = new WebSocket(wsUrl(h, '/bun/ws?name=ada'));
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (data) => {
        got.push(data.toString());
        if (got.length === 2) {
          ws.close();
          resolve(got);
        }
      });
      ws.on('error', reject);
    });
    expect(replies).toEqual(['welcome ada', 'ada said hi']);
    await expect(echo(wsUrl(h, '/bun/elsewhere'))).rejects.toThrow('handshake refused: 404');
  });

  test('ws attached to an exported http.Server gets its upgrades as from its own server', async () => {
    expect(await echo(wsUrl(h, '/ws'), 'yo')).toBe('echo:yo:url=/ws');
    // and the same server still answers plain requests
    expect(await (await fetch(h.url('/other'))).text()).toBe('plain /other');
  });

  test('a fetch app that does not upgrade answers with its own status, and the socket is closed', async () => {
    await expect(echo(wsUrl(h, '/plain/ws'))).rejects.toThrow('handshake refused: 404');
  });

  test('a Node listener cannot take a WebSocket: a clean 404', async () => {
    await expect(echo(wsUrl(h, '/listener/ws'))).rejects.toThrow('handshake refused: 404');
  });

  test('an upgrade to another protocol that nobody takes stays an ordinary request', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(h.url('/listener/x'), { headers: { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
        .on('error', reject)
        .end();
    });
    expect(answer).toEqual({ status: 200, body: 'listener' });
  });

  test('1,000 refused handshakes leave no file descriptor behind', async () => {
    const before = openFds();
    for (let i = 0; i < 1000; i++) await expect(echo(wsUrl(h, '/listener/ws'))).rejects.toThrow('404');
    await new Promise((r) => setTimeout(r, 200));
    // Client and server ends both live in this process; a leak would add 1,000 or 2,000.
    expect(openFds() - before).toBeLessThan(20);
  });
});

describe('a handshake carries the request\'s trace context', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  /** The first message on a socket opened with these headers. */
  const firstMessage = (url: string, headers: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
      ws.on('error', reject);
    });

  test('Bun-style and Hono apps read ctx.trace during the handshake', async () => {
    const bun = {
      fetch: (request: Request, server: { trace?: { traceparent: string }; upgrade(r: Request, o: { data: unknown }): boolean }) =>
        server.upgrade(request, { data: server.trace?.traceparent ?? 'none' }) ? undefined : new Response('no', { status: 400 }),
      websocket: { open: (ws: { data: unknown; send(m: string): void }) => ws.send(String(ws.data)) },
    };
    const hono = new Hono<{ Bindings: { trace?: { traceparent: string } } }>();
    hono.get('/ws', upgradeWebSocket((c) => ({ onOpen: (_event, ws) => ws.send(c.env.trace?.traceparent ?? 'none') })));
    const h = await serve([{ prefix: '/bun', app: bun }, { prefix: '/hono', app: hono }]);
    try {
      expect(await firstMessage(wsUrl(h, '/bun/ws'), { traceparent })).toBe(traceparent);
      expect(await firstMessage(wsUrl(h, '/hono/ws'), { traceparent })).toBe(traceparent);
      expect(await firstMessage(wsUrl(h, '/hono/ws'), { traceparent: traceparent.toUpperCase() })).toBe('none');
    } finally {
      await stop(h);
    }
  });
});
