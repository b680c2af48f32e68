/**
 * `npm start` killed outright (SIGKILL: an OOM kill, kill -9, a CI timeout) must not leave its
 * tiers holding the ports: the watchdog sees the stack's pipe close and stops them, and the next
 * start in the same run folder takes over the dead stack's lock and comes up on the same ports.
 * Once per static-tier server: each has its own graceful signal (nginx QUIT, Apache WINCH).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { isPortFree } from '../../scripts/lib/run-lock.ts';
import { childPids, isAlive, startStack, type RunningStack } from '../stack/stack-process.ts';
import { SERVER_TRAITS, STATIC_SERVERS } from './web-server.ts';

/** Polls `check` every 100 ms until it holds or `ms` pass; resolves whether it held. */
async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe.each(STATIC_SERVERS)('%s', (server) => {
  const started: RunningStack[] = [];

  afterAll(async () => {
    for (const stack of started.reverse()) {
      if (stack.child.exitCode === null) {
        stack.child.kill('SIGINT');
        await stack.exited;
      }
    }
    if (started[0]) await rm(started[0].runDir, { recursive: true, force: true });
  }, 60_000);

  it('SIGKILL of the stack stops both tiers within seconds, and the next start comes up on the same ports', async () => {
    SERVER_TRAITS[server].binary();
    const first = await startStack(['--min-workers', '2', '--max-workers', '2', '--static-server', server]);
    started.push(first);
    const status = (await (await fetch(`${first.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
    const webPid = Number(readFileSync(join(first.runDir, SERVER_TRAITS[server].pidFile), 'utf8'));
    const tierPids = [status.master.pid, ...status.workers.map((w) => w.pid), webPid, ...childPids(webPid)];
    expect(tierPids.every(isAlive)).toBe(true);

    first.child.kill('SIGKILL');
    await first.exited;
    const ports = Object.values(first.ports);
    // Generous bound for a loaded machine: the watchdog's grace is 5 s and nothing is in flight.
    expect(await within(15_000, async () => (await Promise.all(ports.map((p) => isPortFree(p)))).every(Boolean))).toBe(true);
    expect(await within(5_000, () => !tierPids.some(isAlive))).toBe(true);

    const second = await startStack(['--static-server', server], { ports: first.ports, runDir: first.runDir });
    started.push(second);
    expect((await fetch(`${second.site}/`)).status).toBe(200);
  }, 90_000);
});
