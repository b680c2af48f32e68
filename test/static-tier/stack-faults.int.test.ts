/**
 * The stack under faults, once per static-tier server: a gateway worker SIGKILLed while GET
 * traffic flows through the web server, and Ctrl-C leaving no process of either tier behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childPids, discardStack, isAlive, poolStatus, startStack, type RunningStack } from '../stack/stack-process.ts';
import { SERVER_TRAITS, STATIC_SERVERS } from './web-server.ts';

/** How one GET ended: its status, or `lost`; `replayed` when the first attempt got no response at all. */
interface Outcome { status: number | 'lost'; replayed: boolean; firstStatus: number | 'closed' }

/**
 * A GET as a browser sends it: when the connection closes before any response (fetch rejects, no
 * status), an idempotent request is sent once more (RFC 9110 §9.2.2; browsers do it on reused
 * connections). A response of any status, even a 502, is final: that is the server's answer.
 */
async function browserGet(url: string): Promise<Outcome> {
  const once = () => fetch(url, { signal: AbortSignal.timeout(10_000) }).then(async (r) => (await r.text(), r.status));
  const first = await once().catch(() => 'closed' as const);
  if (first !== 'closed') return { status: first, replayed: false, firstStatus: first };
  const second = await once().catch(() => 'lost' as const);
  return { status: second, replayed: true, firstStatus: 'closed' };
}

describe.each(STATIC_SERVERS)('faults with %s in front', (server) => {
  let stack: RunningStack;

  beforeAll(async () => {
    SERVER_TRAITS[server].binary();
    stack = await startStack(['--min-workers', '2', '--max-workers', '2', '--static-server', server]);
  }, 90_000);

  afterAll(() => discardStack(stack), 60_000);

  it('a worker SIGKILLed under GET load: no request fails (replayed by the server, or by the client where the server leaves it to it)', async () => {
    const victim = (await poolStatus(stack)).workers[0]!.pid;
    const outcomes: Outcome[] = [];
    let killedAt = 0;
    let sent = 0;
    // Four clients; traffic runs until 3 s after the kill (bounded in count too).
    const running = () => sent < 5_000 && (!killedAt || performance.now() - killedAt < 3_000);
    const client = async () => {
      while (running()) {
        sent += 1;
        if (sent === 60) {
          killedAt = performance.now();
          process.kill(victim, 'SIGKILL');
        }
        outcomes.push(await browserGet(`${stack.site}/api/whoami`));
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    expect(outcomes.length).toBeGreaterThan(100);
    // Never an error status: a broken gateway connection is replayed or closed, never a 502.
    expect(outcomes.filter((o) => o.firstStatus !== 200 && o.firstStatus !== 'closed')).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    const replayed = outcomes.filter((o) => o.replayed).length;
    // nginx replays itself: the client never sees a closed connection. Apache hands the replay to
    // the client, at most once per request that was in flight on the killed worker (one per client).
    if (SERVER_TRAITS[server].retries === 'server') expect(replayed).toBe(0);
    else expect(replayed).toBeLessThanOrEqual(4);
    const after = await poolStatus(stack);
    expect(after.workers.map((w) => w.pid)).not.toContain(victim);
    expect(after.restarts.crash).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('Ctrl-C stops both tiers and leaves no process behind', async () => {
    const status = await poolStatus(stack);
    const webPid = Number(readFileSync(join(stack.runDir, SERVER_TRAITS[server].pidFile), 'utf8'));
    // The stack's own children: the gateway master, the web server and the watchdog that stops them if the stack dies.
    const children = childPids(stack.child.pid!);
    const pids = [...children, ...status.workers.map((w) => w.pid), ...childPids(webPid)];
    expect(children).toEqual(expect.arrayContaining([status.master.pid, webPid]));
    expect(children).toHaveLength(3);
    expect(pids.length).toBeGreaterThanOrEqual(6); // master, 2 workers, web server master, ≥1 of its children, watchdog
    expect(pids.every(isAlive)).toBe(true);

    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(stack.output()).toContain('[stack] stopped');
    expect(existsSync(join(stack.runDir, 'stack.lock'))).toBe(false);
  }, 60_000);
});
