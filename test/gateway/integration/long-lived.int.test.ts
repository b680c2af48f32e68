/**
 * Long-lived connections against the real gateway (master + workers): 50 WebSockets and 10 event
 * streams are open when a worker goes away (HUP, scale-down, recycling, TERM). Each one gets its
 * close (1012) or the end of its stream within 1 s of its worker starting to drain (the worker's
 * own 'draining' log line), and a client that reconnects lands on a worker that is not draining.
 * Last, the fault case: a worker holding WebSockets is SIGKILLed.
 */
import { jest } from '@jest/globals';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { fixture, settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(90_000);
const APP = fixture('apps/hono-websocket.ts');
let gw: GatewayProcess | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

interface Ended {
  worker: number;
  code: number;
  at: number;
}

/** A WebSocket to the echo route; resolves once it knows which worker it is on. */
function openSocket(base: string): Promise<{ worker: number; ended: Promise<Ended> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    let worker = 0;
    const ended = new Promise<Ended>((done) => ws.on('close', (code) => done({ worker, code, at: Date.now() })));
    ws.on('open', () => ws.send('who'));
    ws.once('message', (data) => {
      worker = Number(/worker=(\d+)/.exec(data.toString())?.[1]);
      resolve({ worker, ended });
    });
    ws.on('error', reject);
  });
}

/** An event stream from /clock; 'code' is 0 for a clean end of the body, -1 for a cut. */
function openStream(base: string): Promise<{ worker: number; ended: Promise<Ended> }> {
  return new Promise((resolve, reject) => {
    request(`${base}/clock`, (res) => {
      let worker = 0;
      const ended = new Promise<Ended>((done) => {
        res.on('end', () => done({ worker, code: 0, at: Date.now() }));
        res.on('error', () => done({ worker, code: -1, at: Date.now() }));
      });
      res.once('data', (chunk: Buffer) => {
        worker = Number(/worker=(\d+)/.exec(chunk.toString())?.[1]);
        resolve({ worker, ended });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** When each worker logged 'draining' (epoch ms), from the gateway's JSON log. */
function drainTimes(output: string): Map<number, number> {
  const times = new Map<number, number>();
  for (const line of output.split('\n')) {
    if (!line.includes('"draining"')) continue;
    const entry = JSON.parse(line) as { msg: string; worker?: number; time: string };
    if (entry.msg === 'draining' && entry.worker !== undefined) times.set(entry.worker, Date.parse(entry.time));
  }
  return times;
}

async function openAll(base: string) {
  const sockets = [];
  for (let i = 0; i < 50; i += 1) sockets.push(await openSocket(base));
  const streams = await Promise.all(Array.from({ length: 10 }, () => openStream(base)));
  return { sockets, streams };
}

/** Every connection on a drained worker ended properly within 1 s of that worker's drain. */
async function expectEndedWithDrain(gw: GatewayProcess, conns: Array<{ worker: number; ended: Promise<Ended> }>, drained: Set<number>) {
  const ends = await Promise.all(conns.filter((c) => drained.has(c.worker)).map((c) => c.ended));
  expect(ends.length).toBeGreaterThan(0);
  const times = drainTimes(gw.output());
  for (const end of ends) {
    expect([end.code, end.worker]).toEqual([end.code === 0 ? 0 : 1012, end.worker]);
    const drainedAt = times.get(end.worker);
    expect(drainedAt).toBeDefined();
    expect(end.at - drainedAt!).toBeLessThan(1000);
  }
  return ends;
}

test('HUP: every WebSocket gets 1012 and every stream ends as its worker drains; reconnects reach the new workers', async () => {
  gw = await startGateway([APP, '--workers', '2']);
  const before = await gw.waitFor(settled);
  const old = new Set(before.workers.map((w) => w.id));
  const { sockets, streams } = await openAll(gw.url);
  // Per-worker gauges, from the workers' heartbeats: /metrics and the status JSON agree.
  const sum = (text: string, name: string) => [...text.matchAll(new RegExp(`^${name}\\{worker="\\d+"\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const status = await gw.waitFor((s) => s.workers.reduce((n, w) => n + (w.webSockets ?? 0), 0) === 50 && s.workers.reduce((n, w) => n + (w.streams ?? 0), 0) === 10);
  const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
  expect([sum(metrics, 'gateway_worker_websockets_open'), sum(metrics, 'gateway_worker_streams_open')]).toEqual([50, 10]);
  gw.proc.kill('SIGHUP');
  const socketEnds = await expectEndedWithDrain(gw, sockets, old);
  expect(socketEnds.map((e) => e.code)).toEqual(Array(50).fill(1012));
  const streamEnds = await expectEndedWithDrain(gw, streams, old);
  expect(streamEnds.map((e) => e.code)).toEqual(Array(10).fill(0));
  // Reconnect at once, as a client does on 1012: no failed handshake, never an old worker.
  const again = await Promise.all(Array.from({ length: 50 }, () => openSocket(gw!.url)));
  expect(again.filter((s) => old.has(s.worker))).toEqual([]);
});

test('scale-down (TTOU): the retired worker closes its WebSockets with 1012 and exits; the other keeps its own', async () => {
  gw = await startGateway([APP, '--workers', '2']);
  await gw.waitFor(settled);
  const { sockets } = await openAll(gw.url);
  gw.proc.kill('SIGTTOU');
  const after = await gw.waitFor((s) => s.target === 1 && s.workers.length === 1, 20_000);
  const kept = after.workers[0]!.id;
  const retired = new Set(sockets.map((s) => s.worker).filter((w) => w !== kept));
  expect(retired.size).toBe(1);
  await expectEndedWithDrain(gw, sockets, retired);
  const settledEnds = await Promise.race([Promise.all(sockets.filter((s) => s.worker === kept).map((s) => s.ended)), sleep(500).then(() => 'still open')]);
  expect(settledEnds).toBe('still open');
});

test('recycling (maxRequests): a worker holding WebSockets still recycles, its clients get 1012', async () => {
  gw = await startGateway([APP, '--workers', '1', '--max-requests', '5']);
  const before = await gw.waitFor(settled);
  const first = before.workers[0]!.id;
  const { sockets } = await openAll(gw.url);
  for (let i = 0; i < 5; i += 1) await (await fetch(`${gw.url}/`)).text();
  const ends = await expectEndedWithDrain(gw, sockets, new Set([first]));
  expect(ends.map((e) => e.code)).toEqual(Array(50).fill(1012));
  await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.id !== first));
  expect((await openSocket(gw.url)).worker).not.toBe(first);
});

test('TERM: every WebSocket gets 1012 and the gateway exits 0, well before gracefulTimeout', async () => {
  gw = await startGateway([APP, '--workers', '2', '--graceful-timeout', '30']);
  const before = await gw.waitFor(settled);
  const { sockets, streams } = await openAll(gw.url);
  const started = Date.now();
  gw.proc.kill('SIGTERM');
  const ends = await expectEndedWithDrain(gw, sockets, new Set(before.workers.map((w) => w.id)));
  expect(ends.map((e) => e.code)).toEqual(Array(50).fill(1012));
  await expectEndedWithDrain(gw, streams, new Set(before.workers.map((w) => w.id)));
  expect(await gw.exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
});

test('SIGKILL of a worker holding WebSockets: its clients see the connection drop and reconnect elsewhere; the others keep theirs', async () => {
  gw = await startGateway([APP, '--workers', '2', '--listen-strategy', 'round-robin']);
  const before = await gw.waitFor(settled);
  const { sockets } = await openAll(gw.url);
  const victim = before.workers[0]!;
  const survivor = before.workers[1]!.id;
  expect(sockets.some((s) => s.worker === survivor)).toBe(true);
  process.kill(victim.pid, 'SIGKILL');
  const cut = await Promise.all(sockets.filter((s) => s.worker === victim.id).map((s) => s.ended));
  expect(new Set(cut.map((e) => e.code))).toEqual(new Set([1006])); // no close frame from a killed process
  const kept = await Promise.race([Promise.all(sockets.filter((s) => s.worker === survivor).map((s) => s.ended)), sleep(1000).then(() => 'still open')]);
  expect(kept).toBe('still open');
  const again = await Promise.all(Array.from({ length: 10 }, () => openSocket(gw!.url)));
  expect(again.filter((s) => s.worker === victim.id)).toEqual([]);
});
