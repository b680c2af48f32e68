/** GET traffic through a running stack while one of its workers is SIGKILLed. */
import { poolStatus, type RunningStack } from '../stack/stack-process.ts';

/**
 * Four clients send GETs through nginx; after 60 requests one worker is SIGKILLed; traffic goes on
 * for 3 s after the kill (at most 5,000 requests). Then waits for the pool to be whole again.
 *
 * `failed` is what a proxy could have saved: no answer, or an error status. `cut` is a 200 whose
 * body stopped short: the killed worker had begun answering, its head was already on its way to
 * the client, and no proxy can replay a response it has started (nginx closes the connection, as
 * gunicorn behind nginx would). At most one per client can be in flight on the victim, so `cut`
 * is bounded by the four clients; a fresh-clone CI saw two with Next.js, which writes a response
 * in several pieces.
 */
export async function loadThroughKill(stack: RunningStack, path: string) {
  const before = await poolStatus(stack);
  const victim = before.workers[0]!.pid;
  const failed: string[] = [];
  const cut: string[] = [];
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
      const why = (error: unknown) => String((error as { cause?: unknown }).cause ?? error);
      await fetch(`${stack.site}${path}`, { signal: AbortSignal.timeout(10_000) })
        .then(async (r) => {
          const body = await r.text().then(() => undefined, (error: unknown) => `after ${r.status} head: ${why(error)}`);
          if (r.status !== 200) failed.push(`HTTP ${r.status}`);
          else if (body !== undefined) cut.push(body);
          else ok += 1;
        })
        .catch((error: unknown) => failed.push(why(error)));
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  const deadline = Date.now() + 20_000;
  let after = await poolStatus(stack);
  while (Date.now() < deadline && !(after.workers.length === before.workers.length && after.workers.every((w) => w.state === 'ready'))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await poolStatus(stack);
  }
  return { failed, cut, ok, victim, pidsAfter: after.workers.map((w) => w.pid) };
}
