/**
 * Test helpers: start `scripts/stack.ts` for real on ports the OS hands out, in a private run
 * folder, and talk to it (including raw HTTP that fetch would normalise away).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { freePort } from '../support/net.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

export { freePort };

/** A running `npm start` (the script itself, without the bootstrap). */
export interface RunningStack {
  child: ChildProcess;
  site: string;
  admin: string;
  runDir: string;
  ports: { site: number; gateway: number; admin: number };
  /** Everything the stack printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/** Where and how to start a stack; everything defaults to fresh ports and folders. */
export interface StackOptions {
  timeoutMs?: number;
  /** The checkout to start it from (default: this one). */
  root?: string;
  /** Reuse the ports and run folder of an earlier stack. */
  ports?: RunningStack['ports'];
  runDir?: string;
}

/** Start the stack and wait until it prints that it is ready (or fail with its output). */
export async function startStack(extraArgs: string[] = [], options: StackOptions = {}): Promise<RunningStack> {
  const { timeoutMs = 60_000, root = ROOT } = options;
  const ports = options.ports ?? { site: await freePort(), gateway: await freePort(), admin: await freePort() };
  const runDir = options.runDir ?? (await mkdtemp(join(tmpdir(), 'kit-stack-')));
  const args = [
    join(root, 'scripts/stack.ts'),
    '--site-port', String(ports.site), '--gateway-port', String(ports.gateway), '--admin-port', String(ports.admin),
    '--run-dir', runDir, ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stack = {
    child, runDir, ports, exited,
    site: `http://127.0.0.1:${ports.site}`,
    admin: `http://127.0.0.1:${ports.admin}`,
    output: () => text,
  };
  const deadline = Date.now() + timeoutMs;
  while (!text.includes('[stack] ready')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the stack did not become ready:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return stack;
}

/** GET with the path sent byte for byte (no URL normalisation), as an attacker would. */
export function rawGet(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Direct children of `pid`, read from /proc (Linux). */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

/** The pool as the stack's gateway reports it on its admin listener. */
export async function poolStatus(stack: RunningStack): Promise<PoolStatus> {
  return (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
}

/** After a suite: SIGKILL the stack if it still runs (its watchdog stops the tiers), then remove its run folder. */
export async function discardStack(stack: RunningStack | undefined): Promise<void> {
  if (!stack) return;
  if (stack.child.exitCode === null) {
    stack.child.kill('SIGKILL');
    await stack.exited;
  }
  await rm(stack.runDir, { recursive: true, force: true });
}
