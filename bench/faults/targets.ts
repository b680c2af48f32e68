/**
 * A server under fault: the gateway, PM2 (cluster mode, pm2-runtime) or gunicorn (sync), each
 * hosting the fault app (bench/peers/fault-*), with the supervision knobs each of them has. The
 * same scenario code then runs against all three.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { findExecutable } from '../../scripts/lib/system-packages.ts';
import { NODE, ROOT, RUN_DIR } from '../contenders.ts';
import { freePorts } from '../lib/ports.ts';
import { childrenOf } from '../lib/proc-tree.ts';
import { startServer, type RunningServer } from '../lib/server.ts';

export type TargetKind = 'gateway' | 'pm2' | 'gunicorn';

export interface FaultTargetOptions {
  workers?: number;
  /** Hung-worker timeout in seconds (gateway --timeout, gunicorn --timeout; PM2 has none). */
  timeoutS?: number;
  /** Grace period for a stop in seconds (gateway/gunicorn --graceful-timeout, PM2 kill_timeout). */
  graceS?: number;
  /** Recycle after this many requests (gateway/gunicorn --max-requests; PM2 has none). */
  maxRequests?: number;
  /** Recycle above this RSS in MiB (gateway --max-memory, PM2 max_memory_restart; gunicorn has none). */
  maxMemoryMiB?: number;
  /** Gateway only: the app module (default bench/peers/fault-app.ts). */
  app?: string;
  /** Gateway only: more CLI flags. */
  extraArgs?: string[];
  /** PM2 only: the script each cluster worker runs (default bench/peers/pm2-fault.ts). */
  pm2Script?: string;
  /** gunicorn only: the WSGI app (default fault_wsgi:application, from bench/peers). */
  wsgi?: string;
}

export interface FaultTarget {
  kind: TargetKind;
  server: RunningServer;
  port: number;
  /** The gateway's admin port (undefined for the others). */
  adminPort?: number;
  /** PIDs of the serving workers right now. */
  workerPids(): Promise<number[]>;
  /** The gateway's /status (undefined for the others). */
  status(): Promise<PoolStatus | undefined>;
}

const logFile = (kind: string, port: number): string => resolve(RUN_DIR, 'faults', `${kind}-${port}.log`);

function gatewayArgs(o: FaultTargetOptions, port: number, adminPort: number): string[] {
  return [
    resolve(ROOT, 'gateway/cli.ts'),
    resolve(ROOT, o.app ?? 'bench/peers/fault-app.ts'),
    '--workers', String(o.workers ?? 2),
    '--bind', `127.0.0.1:${port}`,
    '--admin-bind', `127.0.0.1:${adminPort}`,
    '--no-access-log',
    ...(o.timeoutS === undefined ? [] : ['--timeout', String(o.timeoutS)]),
    ...(o.graceS === undefined ? [] : ['--graceful-timeout', String(o.graceS)]),
    ...(o.maxRequests === undefined ? [] : ['--max-requests', String(o.maxRequests)]),
    ...(o.maxMemoryMiB === undefined ? [] : ['--max-memory', String(o.maxMemoryMiB)]),
    ...(o.extraArgs ?? []),
  ];
}

function pm2Ecosystem(o: FaultTargetOptions, port: number): string {
  const dir = resolve(RUN_DIR, 'faults', `pm2-${port}`);
  mkdirSync(dir, { recursive: true });
  const app = {
    name: 'fault',
    script: resolve(ROOT, o.pm2Script ?? 'bench/peers/pm2-fault.ts'),
    exec_mode: 'cluster',
    instances: o.workers ?? 2,
    env: { PORT: String(port), HOST: '127.0.0.1' },
    ...(o.graceS === undefined ? {} : { kill_timeout: o.graceS * 1000 }),
    ...(o.maxMemoryMiB === undefined ? {} : { max_memory_restart: `${o.maxMemoryMiB}M` }),
  };
  const file = resolve(dir, 'ecosystem.config.cjs');
  writeFileSync(file, `module.exports = ${JSON.stringify({ apps: [app] }, null, 2)};\n`);
  return file;
}

/** Start `kind` with the fault app and wait until it serves. */
export async function startFaultTarget(kind: TargetKind, o: FaultTargetOptions = {}): Promise<FaultTarget> {
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  const workers = o.workers ?? 2;
  const specs = {
    gateway: () => ({ command: NODE, args: gatewayArgs(o, port, adminPort), readyUrl: `http://127.0.0.1:${adminPort}/readyz` }),
    pm2: () => ({
      command: NODE,
      args: [resolve(ROOT, 'node_modules/pm2/bin/pm2-runtime'), pm2Ecosystem(o, port)],
      env: { PM2_HOME: resolve(RUN_DIR, 'faults', `pm2-${port}`, 'home') },
      readyUrl: `http://127.0.0.1:${port}/`,
    }),
    gunicorn: () => ({
      command: findExecutable('gunicorn') ?? 'gunicorn',
      args: [
        '--workers', String(workers), '--worker-class', 'sync', '--bind', `127.0.0.1:${port}`,
        '--chdir', resolve(ROOT, 'bench/peers'), '--worker-tmp-dir', '/dev/shm',
        ...(o.timeoutS === undefined ? [] : ['--timeout', String(o.timeoutS)]),
        ...(o.graceS === undefined ? [] : ['--graceful-timeout', String(o.graceS)]),
        ...(o.maxRequests === undefined ? [] : ['--max-requests', String(o.maxRequests)]),
        o.wsgi ?? 'fault_wsgi:application',
      ],
      readyUrl: `http://127.0.0.1:${port}/`,
    }),
  };
  const server = await startServer({ name: kind, logFile: logFile(kind, port), ...specs[kind]() });
  const status = async (): Promise<PoolStatus | undefined> => {
    if (kind !== 'gateway') return undefined;
    const response = await fetch(`http://127.0.0.1:${adminPort}/status?format=json`, { signal: AbortSignal.timeout(3000) });
    return (await response.json()) as PoolStatus;
  };
  const target: FaultTarget = {
    kind,
    server,
    port,
    ...(kind === 'gateway' ? { adminPort } : {}),
    status,
    async workerPids() {
      if (kind === 'gateway') {
        const s = await status();
        return (s?.workers ?? []).filter((w) => w.state === 'ready').map((w) => w.pid);
      }
      return childrenOf(server.pid);
    },
  };
  // PM2 and gunicorn answer as soon as one worker listens; wait for the whole pool.
  const deadline = Date.now() + 15_000;
  while ((await target.workerPids()).length < workers && Date.now() < deadline) await sleep(100);
  return target;
}

/** Poll `check` every 100 ms until it is true or `timeoutMs` passes; returns the elapsed ms or undefined. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  return undefined;
}
