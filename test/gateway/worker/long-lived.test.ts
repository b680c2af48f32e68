/**
 * What a worker does with connections that never end by themselves: heartbeats close dead
 * WebSocket peers, and a drain sends every WebSocket the close code, ends every event stream and
 * destroys what ignores it, so the worker still exits.
 */
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { appSetOf } from '../../../gateway/interface/index.ts';
import honoWebSocket from '../../fixtures/apps/hono-websocket.ts';
import wsServer from '../../fixtures/apps/ws-server.ts';
import { workerHarness, type WorkerHarness } from './fake-worker-port.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(settings: Record<string, unknown> = {}): Promise<WorkerHarness> {
  const h = workerHarness({ loadApps: async () => appSetOf([{ prefix: '/', app: wsServer }, { prefix: '/live', app: honoWebSocket }]), settings });
  await h.worker.start();
  await h.port.ready();
  return h;
}

function openWebSocket(url: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; at: number }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const closed = new Promise<{ code: number; at: number }>((done) => ws.on('close', (code) => done({ code, at: Date.now() })));
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('error', reject);
  });
}

function openStream(url: string): Promise<{ res: IncomingMessage; ended: Promise<{ clean: boolean; at: number }> }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const ended = new Promise<{ clean: boolean; at: number }>((done) => {
        res.on('end', () => done({ clean: true, at: Date.now() }));
        res.on('error', () => done({ clean: false, at: Date.now() }));
      });
      res.resume();
      resolve({ res, ended });
    })
      .on('error', reject)
      .end();
  });
}

/** A raw WebSocket handshake from a client that then never reads nor answers anything. */
async function deafClient(h: WorkerHarness, path: string): Promise<Socket> {
  const { port } = new URL(h.url());
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

test('a drain sends 1012 to every WebSocket, ends every event stream, and the worker exits', async () => {
  const h = await serve();
  const sockets = await Promise.all(Array.from({ length: 50 }, (_, i) => openWebSocket(h.url(i % 2 ? '/ws' : '/live/ws').replace('http', 'ws'))));
  const streams = await Promise.all(Array.from({ length: 10 }, () => openStream(h.url('/live/clock'))));
  const drainedAt = Date.now();
  h.port.message({ type: 'drain', deadlineMs: 10_000 });
  const closes = await Promise.all(sockets.map((s) => s.closed));
  expect(new Set(closes.map((c) => c.code))).toEqual(new Set([1012]));
  expect(Math.max(...closes.map((c) => c.at - drainedAt))).toBeLessThan(1000);
  const ends = await Promise.all(streams.map((s) => s.ended));
  expect(ends.every((e) => e.clean)).toBe(true); // a proper end of the chunked body: EventSource reconnects
  expect(Math.max(...ends.map((e) => e.at - drainedAt))).toBeLessThan(1000);
  expect(await h.port.exited()).toBe(0);
});

test('a client that ignores the close frame does not hold the worker: destroyed once its time is up', async () => {
  const h = await serve();
  const deaf = await deafClient(h, '/ws');
  const started = Date.now();
  h.port.message({ type: 'drain', deadlineMs: 2000 }); // the handshake gets half: 1 s
  expect(await h.port.exited()).toBe(0);
  expect(Date.now() - started).toBeLessThan(2000);
  deaf.destroy();
});

test('heartbeats: a peer that stops answering is closed; one that answers pings stays', async () => {
  const h = await serve({ wsPingInterval: 0.2 });
  const deaf = await deafClient(h, '/live/ws');
  const closed = new Promise<number>((resolve) => deaf.once('close', () => resolve(Date.now())));
  deaf.resume(); // reads (so it sees the ping) but never answers
  const alive = await openWebSocket(h.url('/ws').replace('http', 'ws'));
  let pings = 0;
  alive.ws.on('ping', () => (pings += 1));
  const start = Date.now();
  expect((await closed) - start).toBeLessThan(2 * 200 + 300); // two intervals of silence, plus slack
  await sleep(800);
  expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  expect(pings).toBeGreaterThan(0);
  h.worker.drain(2000);
  expect((await alive.closed).code).toBe(1012);
  await h.port.exited();
});
