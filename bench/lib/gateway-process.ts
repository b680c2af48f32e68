/**
 * Runs the real gateway CLI as a child process on free loopback ports: for the integration tests
 * (through test/gateway/integration/gateway-process.ts) and the benchmarks, which share it here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { freePort } from './ports.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));
/** A fixture of the test suites (test/fixtures/NAME), which the benchmarks run too. */
export const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));

export interface GatewayProcess {
  proc: ChildProcess;
  url: string;
  admin: string;
  output(): string;
  status(): Promise<PoolStatus>;
  /** Resolves with the exit code (or 128+signal). */
  exited: Promise<number>;
  waitFor(check: (s: PoolStatus) => boolean, timeoutMs?: number): Promise<PoolStatus>;
  stop(): Promise<number>;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `gateway` to completion (for bad-config and boot-failure cases). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts the gateway on free loopback ports; `bind` replaces the HTTP port (e.g. `unix:/path`), and `url` then means nothing. */
export async function startGateway(args: string[], env: NodeJS.ProcessEnv = {}, bind?: string): Promise<GatewayProcess> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const proc = spawn(process.execPath, [CLI, ...args, '--bind', bind ?? `127.0.0.1:${port}`, '--admin-bind', `127.0.0.1:${adminPort}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d));
  proc.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0))));
  const admin = `http://127.0.0.1:${adminPort}`;
  const status = async () => (await (await fetch(`${admin}/status`)).json()) as PoolStatus;
  const waitFor = async (check: (s: PoolStatus) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: PoolStatus | undefined;
    while (Date.now() < deadline) {
      last = await status().catch(() => undefined);
      if (last && check(last)) return last;
      if (proc.exitCode !== null) throw new Error(`gateway exited (${proc.exitCode}):\n${output}`);
      await sleep(100);
    }
    throw new Error(`condition not met in ${timeoutMs} ms; last status ${JSON.stringify(last)}\n${output.slice(-3000)}`);
  };
  const gw: GatewayProcess = {
    proc, url: `http://127.0.0.1:${port}`, admin, output: () => output, status, exited, waitFor,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
  return gw;
}

/** All workers ready and as many as the target. */
export const settled = (s: PoolStatus) => s.workers.length === s.target && s.workers.every((w) => w.state === 'ready');

/** Sends `total` requests with at most `concurrency` in flight; counts outcomes. */
export async function load(url: string, total: number, concurrency: number, init?: RequestInit) {
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  let next = 0;
  const pids = new Set<number>();
  const one = async () => {
    while (next < total) {
      next += 1;
      try {
        const response = await fetch(url, init);
        const body = await response.text();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        const pid = /"pid":(\d+)/.exec(body)?.[1];
        if (pid) pids.add(Number(pid));
      } catch (error) {
        errors.push(String((error as { cause?: unknown }).cause ?? error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return { statuses, errors, ok: statuses['200'] ?? 0, pids };
}
