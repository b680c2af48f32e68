/**
 * `npm run bench:long-lived`: long-lived connections on the gateway against the same `ws` handler
 * on a bare node:cluster (bench/long-lived/), in alternating rounds:
 *  - WebSocket echo: round trips/s and p99 with C clients each sending as soon as the reply came;
 *  - idle WebSockets on one worker: worker RSS per connection;
 *  - time to the first byte of an event stream, through the rendered nginx and direct.
 * Prints a table of medians and the ratios; docs/long-lived-connections.md quotes a run.
 *
 *   npm run bench:long-lived -- [--rounds 3] [--duration 5] [--clients 32] [--workers 2] [--idle 5000] [--ttfb 300]
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { argv } from 'zx';
import { WebSocket } from 'ws';
import { ROOT, RUN_DIR } from './contenders.ts';
import { startNginxFront } from './lib/nginx.ts';
import { freePorts } from './lib/ports.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { childrenOf, rssOf } from './lib/proc-tree.ts';

const num = (value: unknown, fallback: number) => (value === undefined ? fallback : Number(value));
const o = { rounds: num(argv.rounds, 3), durationS: num(argv.duration, 5), clients: num(argv.clients, 32), workers: num(argv.workers, 2), idle: num(argv.idle, 5000), ttfb: num(argv.ttfb, 300) };
const NODE = process.execPath;
const APP = join(ROOT, 'bench/long-lived/ws-app.ts');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

type Side = 'gateway' | 'bare';
async function start(side: Side, workers: number): Promise<{ server: RunningServer; port: number }> {
  const [port, admin] = await freePorts(2);
  const args = side === 'gateway'
    ? [join(ROOT, 'gateway/cli.ts'), APP, '--workers', String(workers), '--bind', `127.0.0.1:${port}`, '--admin-bind', `127.0.0.1:${admin}`, '--log-level', 'warn']
    : [join(ROOT, 'bench/long-lived/bare-cluster.ts'), String(port), String(workers)];
  const server = await startServer({ name: side, command: NODE, args, cwd: ROOT, readyUrl: `http://127.0.0.1:${port}/`, logFile: join(RUN_DIR, 'long-lived', `${side}.log`) });
  // Every worker listening (the readiness URL answers once the first one is).
  await new Promise((r) => setTimeout(r, 1500));
  return { server, port: port! };
}

function openSocket(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws)).once('error', reject);
  });
}

async function echo(port: number): Promise<{ rate: number; p99: number }> {
  const sockets = await Promise.all(Array.from({ length: o.clients }, () => openSocket(port)));
  const latencies: number[] = [];
  const end = performance.now() + o.durationS * 1000;
  await Promise.all(sockets.map(async (ws) => {
    while (performance.now() < end) {
      const t = performance.now();
      await new Promise<void>((resolve) => { ws.once('message', () => resolve()); ws.send('ping-payload-0123456789'); });
      latencies.push(performance.now() - t);
    }
  }));
  for (const ws of sockets) ws.terminate();
  return { rate: latencies.length / o.durationS, p99: quantile(latencies, 0.99) };
}

/** The single worker: the only child of the master (gateway) or primary (bare cluster). */
const workerPid = (server: RunningServer) => childrenOf(server.pid)[0]!;

async function idleRss(port: number, server: RunningServer): Promise<number> {
  const pid = workerPid(server);
  const before = rssOf(pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < o.idle; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, o.idle - i) }, () => openSocket(port)))));
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssOf(pid);
  for (const ws of sockets) ws.terminate();
  return (after - before) / o.idle;
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

async function ttfb(port: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < o.ttfb; i += 1) times.push(await firstByte(port));
  return median(times);
}

const results: Record<string, number[]> = {};
const record = (key: string, value: number) => (results[key] ??= []).push(value);
console.log(`[bench:long-lived] ${o.rounds} rounds; echo ${o.clients} clients × ${o.durationS} s on ${o.workers} workers; ${o.idle} idle sockets on 1 worker; ${o.ttfb} SSE first bytes`);
for (let round = 0; round < o.rounds; round += 1) {
  const order: Side[] = round % 2 === 0 ? ['gateway', 'bare'] : ['bare', 'gateway'];
  for (const side of order) {
    const pool = await start(side, o.workers);
    const r = await echo(pool.port);
    record(`${side} echo/s`, r.rate);
    record(`${side} echo p99 ms`, r.p99);
    await pool.server.stop();
    const one = await start(side, 1);
    record(`${side} idle RSS B/conn`, await idleRss(one.port, one.server));
    if (side === 'gateway') {
      const front = await startNginxFront('long-lived', one.port, join(RUN_DIR, 'long-lived'));
      record('SSE first byte direct ms', await ttfb(one.port));
      record('SSE first byte via nginx ms', await ttfb(front.port));
      await front.server.stop();
    }
    await one.server.stop();
    console.log(`[bench:long-lived] round ${round + 1} ${side} done`);
  }
}
const m = (k: string) => median(results[k]!);
console.log('\n| measure | gateway | bare node:cluster | ratio |\n|---|---|---|---|');
console.log(`| WebSocket echo round trips/s | ${m('gateway echo/s').toFixed(0)} | ${m('bare echo/s').toFixed(0)} | ${(m('gateway echo/s') / m('bare echo/s')).toFixed(2)} |`);
console.log(`| WebSocket echo p99 (ms) | ${m('gateway echo p99 ms').toFixed(2)} | ${m('bare echo p99 ms').toFixed(2)} | ${(m('gateway echo p99 ms') / m('bare echo p99 ms')).toFixed(2)} |`);
console.log(`| idle WebSocket, worker RSS per connection (B) | ${m('gateway idle RSS B/conn').toFixed(0)} | ${m('bare idle RSS B/conn').toFixed(0)} | ${(m('gateway idle RSS B/conn') / m('bare idle RSS B/conn')).toFixed(2)} |`);
console.log(`\n| SSE time to first byte (median) | direct | through nginx | difference |\n|---|---|---|---|`);
console.log(`| gateway, ${o.ttfb} requests | ${m('SSE first byte direct ms').toFixed(3)} ms | ${m('SSE first byte via nginx ms').toFixed(3)} ms | ${(m('SSE first byte via nginx ms') - m('SSE first byte direct ms')).toFixed(3)} ms |`);
console.log(`\nrounds (all values): ${JSON.stringify(results)}`);
