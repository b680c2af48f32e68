/**
 * A Docker engine for the container suites and the base-image script: use the running one, or
 * install Debian's docker.io and start `dockerd` ourselves.
 *
 * The sandboxes this project is developed in allow no bridge networking and no iptables, so a
 * daemon we start runs with `--bridge=none --iptables=false --ip6tables=false`, and every container
 * must then use `--network host` (see docs/containers.md).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';
import { DOCKER, ensureSystemPackages, findExecutable } from './system-packages.ts';

/** Flags of a daemon we start ourselves: no bridge, no iptables (neither is allowed here). */
export const DOCKERD_FLAGS = ['--bridge=none', '--iptables=false', '--ip6tables=false'] as const;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The engine in use and whether this process started it. */
export interface DockerEngine {
  /** Server version reported by `docker info`. */
  version: string;
  /** True when `ensureDockerEngine` started the daemon (only then may it be stopped). */
  startedByUs: boolean;
  /** Daemon log of a daemon we started. */
  logFile?: string;
  /** Stops the daemon if we started it; a no-op for an engine someone else runs. */
  stop(): Promise<void>;
}

export interface EnsureDockerEngineOptions {
  /** How long to wait for the daemon to answer after starting it (default 60 s). */
  timeoutMs?: number;
  /** Where a daemon we start writes its log (default run/dockerd.log). */
  logFile?: string;
}

/** Server version of a reachable engine, or undefined. `docker info` is bounded: a wedged socket must not hang us. */
export async function dockerServerVersion(): Promise<string | undefined> {
  if (!findExecutable('docker')) return undefined;
  const out = await $`docker info --format {{.ServerVersion}}`.quiet().nothrow().timeout('15s');
  const version = out.stdout.trim();
  return out.exitCode === 0 && version !== '' ? version : undefined;
}

/**
 * Returns a usable engine. If `docker info` answers, that engine is used as is. Otherwise docker.io
 * is installed when missing and `dockerd` is started in the background (it outlives this process,
 * so later suites reuse it) and awaited with a bounded timeout. Throws with the daemon log's tail
 * when it does not come up.
 */
export async function ensureDockerEngine(options: EnsureDockerEngineOptions = {}): Promise<DockerEngine> {
  const running = await dockerServerVersion();
  if (running) return { version: running, startedByUs: false, stop: async () => {} };

  await ensureSystemPackages([DOCKER]);
  if (process.getuid?.() !== 0) {
    throw new Error('no Docker engine is running and starting dockerd needs root: start the engine, then rerun');
  }
  const logFile = options.logFile ?? join(ROOT, 'run', 'dockerd.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const daemon = startDaemon(logFile);

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const version = await dockerServerVersion();
    if (version) {
      // A concurrent caller may have won the race for the pid file; then our daemon exited and theirs serves.
      const ours = daemon.exitCode === null && daemon.pid !== undefined;
      return { version, startedByUs: ours, logFile, stop: ours ? () => stopDaemon(daemon.pid!) : async () => {} };
    }
    // Our daemon died and no other one is starting up: waiting longer cannot help.
    if (daemon.exitCode !== null && !pidFileProcessAlive()) {
      throw new Error(`dockerd exited (code ${daemon.exitCode}) and no engine answers; last log lines of ${logFile}:\n${tail(logFile, 15)}`);
    }
    await sleep(500);
  }
  if (daemon.exitCode === null && daemon.pid !== undefined) process.kill(daemon.pid, 'SIGTERM');
  throw new Error(`dockerd did not answer within ${(options.timeoutMs ?? 60_000) / 1000} s; last log lines:\n${tail(logFile, 15)}`);
}

interface Daemon {
  pid: number | undefined;
  exitCode: number | null;
}

function startDaemon(logFile: string): Daemon {
  const fd = openSync(logFile, 'a');
  const child = spawn(findExecutable('dockerd') ?? 'dockerd', [...DOCKERD_FLAGS], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const daemon: Daemon = { pid: child.pid, exitCode: null };
  child.on('exit', (code) => (daemon.exitCode = code ?? -1));
  child.on('error', () => (daemon.exitCode = -1));
  // The daemon is meant to outlive the test run; do not keep node's event loop alive for it.
  child.unref();
  return daemon;
}

async function stopDaemon(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 60; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(250);
  }
}

/** Whether the daemon named in dockerd's default pid file runs (a concurrent start that beat ours). */
function pidFileProcessAlive(): boolean {
  try {
    process.kill(Number(readFileSync('/var/run/docker.pid', 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
