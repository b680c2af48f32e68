/**
 * The worker's side of the sticky strategy on a real http.Server: an engine.io handshake's session
 * id reaches the master before the response leaves, and sticky-path responses close their connection.
 */
import { afterEach, expect, test } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptHandoffs, handshakeSessionId } from '../../../gateway/worker/handoff.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

test.each([
  ['protocol 4', '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000}', 'lv_VI97HAXpY6yYWAAAC'],
  ['protocol 3, length-prefixed', '96:0{"sid":"abc-_1","upgrades":[]}', 'abc-_1'],
  ['a Buffer', Buffer.from('0{"sid":"b1"}'), 'b1'],
  ['a message packet that mentions a sid', '4{"sid":"not-a-handshake"}', undefined],
  ['no body', undefined, undefined],
])('handshakeSessionId: %s', (_name, body, sid) => {
  expect(handshakeSessionId(body)).toBe(sid);
});

test('a handshake response leaves only after the master has heard its sid; sticky-path responses say Connection: close', async () => {
  const events: string[] = [];
  let release!: () => void;
  server = createServer();
  const handoffs = acceptHandoffs(server, {
    path: '/socket.io/',
    report: (sid, sent) => {
      events.push(`reported ${sid}`);
      release = sent;
    },
  });
  server.on('request', (req, res) => {
    handoffs.observe(req, res, req.url ?? '/');
    res.end(req.url?.startsWith('/socket.io/') ? '0{"sid":"s42","upgrades":["websocket"]}' : 'page');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = (path: string) =>
    new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
      request({ port, path, host: '127.0.0.1' }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => {
          events.push(`received ${path}`);
          resolve({ body, connection: res.headers.connection });
        });
      }).on('error', reject).end();
    });

  const handshake = get('/socket.io/?EIO=4&transport=polling');
  await new Promise((r) => setTimeout(r, 200));
  expect(events).toEqual(['reported s42']); // held back until the report has left
  release();
  expect((await handshake).connection).toBe('close');
  expect(events).toEqual(['reported s42', 'received /socket.io/?EIO=4&transport=polling']);

  // A request that names its session is not a handshake: nothing reported, still one request a connection.
  expect((await get('/socket.io/?EIO=4&transport=polling&sid=s42')).connection).toBe('close');
  // Elsewhere nothing changes.
  expect((await get('/page')).connection).toBe('keep-alive');
  expect(events.filter((e) => e.startsWith('reported'))).toEqual(['reported s42']);
});
