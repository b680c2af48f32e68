/**
 * The drain of keep-alive connections, on a real node:http server and raw client sockets: an idle
 * connection is closed only after it stayed idle for the grace period, a request in flight is
 * answered in full with `Connection: close`, and a client reusing its connection during the drain
 * gets its answer instead of a reset.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackConnections, type ConnectionTracker } from '../../../gateway/worker/connections.ts';

const GRACE_MS = 300;
let server: Server;
let tracker: ConnectionTracker;
let port: number;

beforeEach(async () => {
  server = createServer((req, res) => {
    // What the worker's request observer does around every request.
    tracker.requestStarted(req, res);
    res.on('close', () => tracker.requestFinished(req));
    const delay = req.url === '/slow' ? 400 : 0;
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'), delay);
  });
  tracker = trackConnections(server, { idleGraceMs: GRACE_MS });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => {
  server.closeAllConnections();
  server.close();
});

interface Client {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

async function client(): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let data = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const done = new Promise<void>((resolve) => socket.once('close', () => ((closed = true), resolve())));
  return { socket, received: () => data, closed: done, isClosed: () => closed };
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

test('an idle keep-alive connection stays open through the grace period, then is closed and the drain completes', async () => {
  const c = await client();
  c.socket.write(get('/'));
  await until(() => c.received().includes('\r\n\r\nok'));
  expect(c.received()).toMatch(/connection: keep-alive/i);
  let drained = false;
  const started = Date.now();
  tracker.drain(() => (drained = true));
  await sleep(GRACE_MS / 2);
  expect(c.isClosed()).toBe(false);
  await c.closed;
  expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 20);
  await until(() => drained);
});

test('a request in flight when the drain starts is answered in full with Connection: close', async () => {
  const c = await client();
  c.socket.write(get('/slow'));
  await sleep(100);
  tracker.drain(() => undefined);
  await c.closed;
  expect(c.received()).toMatch(/^HTTP\/1\.1 200 OK/);
  expect(c.received()).toMatch(/connection: close/i);
  expect(c.received().endsWith('\r\n\r\nok')).toBe(true);
});

test('a client that reuses its connection during the drain gets its answer, marked Connection: close', async () => {
  const c = await client();
  c.socket.write(get('/'));
  await until(() => c.received().includes('\r\n\r\nok'));
  tracker.drain(() => undefined);
  const before = c.received().length;
  c.socket.write(get('/'));
  await c.closed;
  const second = c.received().slice(before);
  expect(second).toMatch(/^HTTP\/1\.1 200 OK/);
  expect(second).toMatch(/connection: close/i);
});

test('new connections are refused once the drain has started', async () => {
  tracker.drain(() => undefined);
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
  expect(refused).toBe(true);
});
