/**
 * The stack under faults and at its edges: a worker SIGKILLed while GET traffic flows, a second
 * `npm start` while one runs, bad settings, and Ctrl-C leaving no process behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { ROOT, childPids, isAlive, startStack, type RunningStack } from './stack-process.ts';

let stack: RunningStack;

beforeAll(async () => {
  nginxBinary();
  stack = await startStack(['--min-workers', '2', '--max-workers', '2']);
}, 90_000);

afterAll(async () => {
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGKILL');
    await stack.exited;
  }
  if (stack) await rm(stack.runDir, { recursive: true, force: true });
}, 60_000);

async function poolStatus(): Promise<PoolStatus> {
  return (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
}

/** Run `stack.ts` to completion with `args`; its exit status and output. */
function runStackScript(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/stack.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('the local stack', () => {
  it('keeps answering GET traffic while a worker is SIGKILLed', async () => {
    const victim = (await poolStatus()).workers[0]!.pid;
    // Each request: when it started relative to the kill (ms), and how it ended.
    const results: { startedMs: number; status: number | 'lost' }[] = [];
    let killedAt = 0;
    let sent = 0;
    // Traffic runs until 3 s after the kill (bounded in count too), so there is an "after" to check.
    const running = () => sent < 5_000 && (!killedAt || performance.now() - killedAt < 3_000);
    const client = async () => {
      while (running()) {
        sent += 1;
        if (sent === 60) {
          killedAt = performance.now();
          process.kill(victim, 'SIGKILL');
        }
        const startedMs = killedAt ? performance.now() - killedAt : -Infinity;
        // Bounded: a request the pool lost must not stall the test for nginx's 60 s read timeout.
        const status = await fetch(`${stack.site}/api/whoami`, { signal: AbortSignal.timeout(5_000) })
          .then(async (r) => (await r.text(), r.status))
          .catch(() => 'lost' as const);
        results.push({ startedMs, status });
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    const failed = results.filter((r) => r.status !== 200);
    // At most the requests in flight around the kill (one per client) may be lost…
    expect(failed.length).toBeLessThanOrEqual(4);
    expect(failed.every((r) => r.startedMs > -Infinity && r.startedMs < 1_000)).toBe(true);
    // …every request started a second after it is answered.
    const later = results.filter((r) => r.startedMs >= 1_000);
    expect(later.length).toBeGreaterThan(20);
    expect(later.every((r) => r.status === 200)).toBe(true);
    // …and the pool replaced the worker.
    const after = await poolStatus();
    expect(after.workers.map((w) => w.pid)).not.toContain(victim);
    expect(after.restarts.crash).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a second start while one runs says so instead of failing on a busy port', () => {
    const { status, output } = runStackScript(['--run-dir', stack.runDir]);
    expect(status).toBe(1);
    expect(output).toContain(`a stack is already running (pid ${stack.child.pid})`);
    expect(output).toContain(stack.site);
  });

  it('a start on a busy port names the port and the flag', async () => {
    const { status, output } = runStackScript([
      '--site-port', String(stack.ports.site), '--gateway-port', String(stack.ports.gateway + 1),
      '--admin-port', String(stack.ports.admin + 1), '--run-dir', join(stack.runDir, 'other'),
    ]);
    expect(status).toBe(1);
    expect(output).toContain(`port ${stack.ports.site} (--site-port) is already in use`);
  });

  it('refuses bad settings with exit 2, naming them', () => {
    expect(runStackScript(['--min-workers', '0'])).toMatchObject({ status: 2, output: expect.stringContaining('--min-workers=0') });
    expect(runStackScript(['--max-workers', '1', '--min-workers', '2']).output).toContain('--max-workers=1 is below --min-workers=2');
    const env = spawnSync(process.execPath, [join(ROOT, 'scripts/stack.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STACK_SITE_PORT: 'eighty' } });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('STACK_SITE_PORT=eighty');
  });

  it('Ctrl-C stops both tiers and leaves no process behind', async () => {
    const status = await poolStatus();
    const nginxPid = Number(readFileSync(join(stack.runDir, 'nginx/nginx.pid'), 'utf8'));
    // The stack's own children: the gateway master, nginx and the watchdog that stops them if the stack dies.
    const children = childPids(stack.child.pid!);
    const pids = [...children, ...status.workers.map((w) => w.pid), ...childPids(nginxPid)];
    expect(children).toEqual(expect.arrayContaining([status.master.pid, nginxPid]));
    expect(children).toHaveLength(3);
    expect(pids.length).toBeGreaterThanOrEqual(6); // master, 2 workers, nginx master, ≥1 nginx worker, watchdog
    expect(pids.every(isAlive)).toBe(true);

    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(stack.output()).toContain('[stack] stopped');
    expect(existsSync(join(stack.runDir, 'stack.lock'))).toBe(false);
  }, 60_000);
});
