/**
 * Starting and stopping a server under test: a command, a readiness URL, a log file. Each server
 * runs in its own process group, so stopping it reaches its workers too, and nothing else: the
 * harness only ever signals what it started. A leftover-guard stops everything on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, processTree } from './proc-tree.ts';

export interface ServerSpec {
  /** Short name for logs and tables. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Polled until it answers 200. */
  readyUrl: string;
  /** Where stdout and stderr go. */
  logFile: string;
  /** Give up waiting for readiness after this long (default 30 s). */
  readyTimeoutMs?: number;
}

export interface RunningServer {
  spec: ServerSpec;
  /** PID of the process we spawned: the root of the server's process tree. */
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 from `readyUrl`. */
  startupMs: number;
  /** Resolves with the exit code (or 128 + signal number) once the root process exits. */
  exited: Promise<number>;
  /** Signal the group, wait up to `graceMs`, then SIGKILL whatever of the tree is left. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

const running = new Set<RunningServer>();
let guardInstalled = false;

/** Kill every server still running when the harness itself exits or is interrupted. */
function installGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  const killAll = (): void => {
    for (const server of running) killTree(server.pid, processTree(server.pid), 'SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

function killTree(pgid: number, tree: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already; members that left it are handled below.
  }
  for (const pid of tree) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already exited.
    }
  }
}

/** True once `url` answers 200 within one second. */
export async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Spawn a server and wait until its readiness URL answers 200; throws (after cleaning up) if it never does. */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  installGuard();
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  const started = performance.now();
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + ((signal ? constants.signals[signal] : 0))));
    child.once('error', () => resolve(127));
  });
  let exitCode: number | undefined;
  void exited.then((code) => (exitCode = code));
  const pid = child.pid ?? -1;
  const server: RunningServer = {
    spec,
    pid,
    child,
    startupMs: 0,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      const tree = processTree(pid);
      if (exitCode === undefined) killTree(pid, [], signal);
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (exitCode === undefined || tree.some(isAlive))) await sleep(50);
      killTree(pid, tree.filter(isAlive), 'SIGKILL');
      running.delete(server);
      const code = await exited;
      log.end();
      return code;
    },
  };
  running.add(server);
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  while (!(await answers200(spec.readyUrl))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      await server.stop('SIGKILL', 1000);
      const why = exitCode !== undefined ? `exited with ${exitCode}` : 'timed out';
      throw new Error(`${spec.name} never became ready at ${spec.readyUrl} (${why}); see ${spec.logFile}`);
    }
    await sleep(25);
  }
  server.startupMs = performance.now() - started;
  return server;
}
