/** GET traffic through a running stack while one of its workers is SIGKILLed. */
import type { PoolStatus } from '../../gateway/protocol.ts';
import type { RunningStack } from '../stack/stack-process.ts';

export async function poolStatus(stack: RunningStack): Promise<PoolStatus> {
  return (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
}

/**
 * Four clients send GETs through nginx; after 60 requests one worker is SIGKILLed; traffic goes on
 * for 3 s after the kill (at most 5,000 requests). Then waits for the pool to be whole again.
 */
export async function loadThroughKill(stack: RunningStack, path: string) {
  const before = await poolStatus(stack);
  const victim = before.workers[0]!.pid;
  const failed: string[] = [];
  let ok = 0;
  let sent = 0;
  let killedAt = 0;
  const running = () => sent < 5_000 && (!killedAt || performance.now() - killedAt < 3_000);
  const client = async () => {
    while (running()) {
      sent += 1;
      if (sent === 60) {
        killedAt = performance.now();
        process.kill(victim, 'SIGKILL');
      }
      // Bounded: a lost request must not stall the test for nginx's 60 s read timeout.
      await fetch(`${stack.site}${path}`, { signal: AbortSignal.timeout(10_000) })
        .then(async (r) => {
          await r.text();
          if (r.status === 200) ok += 1;
          else failed.push(`HTTP ${r.status}`);
        })
        .catch((error: unknown) => failed.push(String((error as { cause?: unknown }).cause ?? error)));
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  const deadline = Date.now() + 20_000;
  let after = await poolStatus(stack);
  while (Date.now() < deadline && !(after.workers.length === before.workers.length && after.workers.every((w) => w.state === 'ready'))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await poolStatus(stack);
  }
  return { failed, ok, victim, pidsAfter: after.workers.map((w) => w.pid) };
}
