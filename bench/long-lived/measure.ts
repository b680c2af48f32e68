/**
 * What the long-lived benchmark measures on one side (the gateway hosting bench/long-lived/ws-app.ts,
 * or the same file on a bare node:cluster): WebSocket echo round trips, worker RSS per idle
 * WebSocket, and the time to the first byte of an event stream. Loopback only; every loop is
 * bounded by a duration or a count.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { NODE, ROOT, RUN_DIR } from '../contenders.ts';
import { freePorts } from '../lib/ports.ts';
import { childrenOf, rssOf, treeCpuMicros } from '../lib/proc-tree.ts';
import { startServer, type RunningServer } from '../lib/server.ts';
import { median } from '../lib/stats.ts';

/** The gateway, the bare cluster, and a second identical bare cluster: the A/A control. */
export type Side = 'gateway' | 'bare' | 'bare-twin';
export const SIDES: Side[] = ['gateway', 'bare', 'bare-twin'];

const APP = 'bench/long-lived/ws-app.ts';
/** The gateway runs its compiled build, as `npm run bench`'s gateway does (scripts/bench.ts builds it first). */
export const GATEWAY_ENTRY = 'dist/gateway/cli.js';

/** One line per side for the report: what exactly runs. */
export const DESCRIBE: Record<Side, string> = {
  gateway: `node ${GATEWAY_ENTRY} ${APP} --workers N (the exported http.Server with ws attached; default settings)`,
  bare: `node bench/long-lived/bare-cluster.ts PORT N (node:cluster, each worker calls listen() on the same ${APP})`,
  'bare-twin': 'a second, identical bare cluster: the A/A control (its ratio to bare is the noise floor)',
};

export async function startSide(side: Side, workers: number): Promise<{ server: RunningServer; port: number }> {
  const [port, admin] = (await freePorts(2)) as [number, number];
  const args = side === 'gateway'
    ? [join(ROOT, GATEWAY_ENTRY), join(ROOT, APP), '--workers', String(workers), '--bind', `127.0.0.1:${port}`, '--admin-bind', `127.0.0.1:${admin}`, '--log-level', 'warn']
    : [join(ROOT, 'bench/long-lived/bare-cluster.ts'), String(port), String(workers)];
  const readyUrl = side === 'gateway' ? `http://127.0.0.1:${admin}/readyz` : `http://127.0.0.1:${port}/`;
  const server = await startServer({ name: side, command: NODE, args, cwd: ROOT, readyUrl, logFile: join(RUN_DIR, 'long-lived', `${side}.log`) });
  // Every worker listening: the readiness URL answers once the first one is.
  const deadline = Date.now() + 10_000;
  while (childrenOf(server.pid).length < workers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  return { server, port };
}

function openSocket(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws)).once('error', reject);
  });
}

/** Round trips on `sockets` for `ms`: each socket sends again as soon as its echo came. */
async function echoFor(sockets: WebSocket[], ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(sockets.map(async (ws) => {
    while (performance.now() < end) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send('ping-payload-0123456789');
      });
      latencies.push(performance.now() - t);
    }
  }));
  return latencies;
}

export interface EchoResult {
  perSecond: number;
  p99Ms: number;
  /** User + system CPU of the server's process tree per round trip: steadier than the rate on a shared machine. */
  cpuUsPerTrip: number;
}

/** `clients` WebSockets echoing for `warmupS` (not recorded), then for `durationS`. */
export async function echo(port: number, pid: number, o: { clients: number; durationS: number; warmupS: number }): Promise<EchoResult> {
  const sockets = await Promise.all(Array.from({ length: o.clients }, () => openSocket(port)));
  try {
    if (o.warmupS > 0) await echoFor(sockets, o.warmupS * 1000);
    const cpuBefore = treeCpuMicros(pid);
    const latencies = await echoFor(sockets, o.durationS * 1000);
    const cpu = treeCpuMicros(pid) - cpuBefore;
    const sorted = latencies.sort((a, b) => a - b);
    return { perSecond: latencies.length / o.durationS, p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!, cpuUsPerTrip: cpu / latencies.length };
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

/** Worker RSS growth per connection with `count` idle WebSockets open on a 1-worker server. */
export async function idleRssPerSocket(port: number, server: RunningServer, count: number): Promise<number> {
  const [worker] = childrenOf(server.pid);
  if (worker === undefined) throw new Error(`${server.spec.name}: no worker process`);
  const before = rssOf(worker);
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < count; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openSocket(port)))));
    await new Promise((r) => setTimeout(r, 2000));
    return (rssOf(worker) - before) / count;
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

function firstByte(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    request({ host: '127.0.0.1', port, path: '/sse', agent: false }, (res) => {
      res.once('data', () => resolve(performance.now() - t));
      res.resume();
    }).on('error', reject).end();
  });
}

/**
 * Median time to the first byte of /sse over `count` fresh connections to each port, one request at
 * a time, alternating between the two so drift of the machine lands on both alike.
 */
export async function firstByteMedians(direct: number, viaNginx: number, count: number): Promise<{ direct: number; nginx: number }> {
  const times = { direct: [] as number[], nginx: [] as number[] };
  for (let i = 0; i < count; i += 1) {
    times.direct.push(await firstByte(direct));
    times.nginx.push(await firstByte(viaNginx));
  }
  return { direct: median(times.direct), nginx: median(times.nginx) };
}
