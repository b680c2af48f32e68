/**
 * The HTTP edge cases the listener settles itself (gateway/interface/edge.ts), sent as raw bytes:
 * what a client talking to a worker directly gets, what the app sees, and what is logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { sendRaw } from '../../../bench/faults/raw-http.ts';
import { appSetOf, createUpgradeDispatch, refuseConnect, type FetchApp } from '../../../gateway/interface/index.ts';
import { serverName } from '../../../gateway/interface/edge.ts';
import honoWebSocket from '../../fixtures/apps/hono-websocket.ts';
import { serve, type Served } from './serve.ts';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const echo: FetchApp = {
  async fetch(request) {
    const body = await request.text();
    return new Response(`url=${request.url} host=${request.headers.get('host')} body=${body.length}`);
  },
};
const seen: Array<{ url: string | undefined; host: string | undefined; trailers: Record<string, string | undefined> }> = [];
const nodeEcho = (req: IncomingMessage, res: ServerResponse): void => {
  req.resume().on('end', () => {
    seen.push({ url: req.url, host: req.headers.host, trailers: req.trailers });
    res.end('node');
  });
};

async function start(): Promise<number> {
  served = await serve(appSetOf([{ prefix: '/', app: echo }, { prefix: '/node', app: nodeEcho }]));
  served.server.on('connect', refuseConnect((fields, message) => served!.logs.push({ level: 40, ...fields, msg: message })));
  return Number(new URL(served.url).port);
}
const errors = (): unknown[] => served!.logs.filter((l) => (l.level as number) >= 50);
const warnings = (): string[] => served!.logs.filter((l) => l.level === 40).map((l) => String(l.msg));

test('HTTP/1.0 without Host is served, with the server’s own address in request.url', async () => {
  const port = await start();
  const answer = await sendRaw(port, 'PUT /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc');
  expect(answer.status).toBe(200);
  expect(answer.text).toContain(`url=http://127.0.0.1:${port}/x host=null body=3`);
});

test('an absolute-form target with userinfo gets 400 and a warn naming it, never a 500 or an error log', async () => {
  const port = await start();
  const answer = await sendRaw(port, 'GET http://user:pass@example.com:8080/foo?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n');
  expect(answer.status).toBe(400);
  expect(warnings().join('\n')).toContain('userinfo in the request target');
  expect(warnings().join('\n')).not.toContain('pass');
  expect(errors()).toEqual([]);
});

test('absolute-form takes its authority over Host and is routed by its path, mounts included', async () => {
  const port = await start();
  const fetchApp = await sendRaw(port, 'GET http://example.com:8080/foo?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n');
  expect(fetchApp.text).toContain('url=http://example.com:8080/foo?q=1');
  seen.length = 0;
  const mounted = await sendRaw(port, 'GET http://example.com/node/p HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n');
  expect(mounted.status).toBe(200);
  expect(seen[0]).toMatchObject({ url: '/p', host: 'example.com' });
});

test.each([
  ['OPTIONS * is answered by the gateway', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 200],
  ['another method with * is refused', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['two Host lines are refused', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
  ['a Host that is no host[:port] is refused', 'GET / HTTP/1.1\r\nHost: a/b@c\r\n\r\n', 400],
  ['HTTP/2.0 in an HTTP/1 request line gets 505', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ['a non-http scheme in the target is refused', 'GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
])('%s', async (_name, raw, status) => {
  const port = await start();
  expect((await sendRaw(port, raw)).status).toBe(status);
  expect(errors()).toEqual([]);
});

test('CONNECT gets 501 and the connection closes', async () => {
  const port = await start();
  const closed = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
  });
  expect(closed).toMatch(/^HTTP\/1\.1 501 /);
  expect(warnings().join('\n')).toContain('CONNECT example.com:443');
});

test('a forbidden trailer field never reaches the app; an allowed one does', async () => {
  const port = await start();
  seen.length = 0;
  const raw = 'POST /node/t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\nHost: evil\r\nX-Checksum: 7\r\n\r\n';
  expect((await sendRaw(port, raw)).status).toBe(200);
  expect(seen[0]?.host).toBe('x');
  expect(seen[0]?.trailers).toEqual({ 'x-checksum': '7' });
  expect(warnings().join('\n')).toContain('dropped trailer field(s) Host');
});

test('a body the client cuts off is a warn, not an app failure with a stack trace', async () => {
  const port = await start();
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
      setTimeout(() => socket.destroy(), 100);
      setTimeout(resolve, 300);
    });
    socket.on('error', () => undefined);
  });
  expect(errors()).toEqual([]);
  expect(warnings().join('\n')).toContain('the request body was cut off');
});

describe('WebSocket handshakes follow the same rules', () => {
  const handshake = (target: string, hostLines: string): string =>
    `GET ${target} HTTP/1.1\r\n${hostLines}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  let port: number;
  let refused: string[];
  let server: Server;
  beforeAll(async () => {
    refused = [];
    const upgrades = createUpgradeDispatch(appSetOf([{ prefix: '/chat', app: honoWebSocket }]), {
      workerId: 1,
      forwardedAllowIps: [],
      warn: (_fields, message) => void refused.push(message),
    });
    server = createServer((_req, res) => res.end('plain'));
    server.on('upgrade', upgrades.upgrade);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('userinfo in the target gets 400, not the adapter’s 500', async () => {
    expect((await sendRaw(port, handshake('http://user:pass@example.com/chat/ws', 'Host: example.com\r\n'))).status).toBe(400);
    expect(refused.join('\n')).toContain('userinfo in the request target');
  });

  test('two Host lines get 400', async () => {
    expect((await sendRaw(port, handshake('/chat/ws', 'Host: a\r\nHost: b\r\n'))).status).toBe(400);
  });

  test('an absolute-form target is routed by its path to the app mounted there', async () => {
    expect((await sendRaw(port, handshake('http://example.com/chat/ws', 'Host: other\r\n'))).status).toBe(101);
  });
});

test.each([
  [{ localAddress: '127.0.0.1', localPort: 8000 }, '127.0.0.1:8000'],
  [{ localAddress: '::ffff:10.0.0.5', localPort: 8000 }, '10.0.0.5:8000'],
  [{ localAddress: '::1', localPort: 8000 }, '[::1]:8000'],
  [{ localAddress: undefined, localPort: undefined }, 'localhost'],
])('the server name of a socket at %j is %s', (socket, name) => {
  expect(serverName({ socket } as unknown as IncomingMessage)).toBe(name);
});
