/**
 * The sticky listener's handoff with real processes: a worker that dies after the master sent it a
 * connection, before saying it has it, must not leave that connection hung in the master (Node's own
 * handoff would: docs/long-lived-connections.md); it goes to another worker, which serves it.
 */
import { afterEach, expect, test } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { listenSticky, type StickyListener } from '../../../gateway/master/sticky-listener.ts';

const CHILD = fileURLToPath(new URL('../../fixtures/sticky/handoff-child.ts', import.meta.url));
const children: ChildProcess[] = [];
let listener: StickyListener | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await listener?.close();
});

/** A child process stands in for a cluster worker: same send/message/exit surface. */
async function worker(mode: 'serve' | 'die' | 'hang-up'): Promise<ChildProcess> {
  const child = fork(CHILD, [mode]);
  children.push(child);
  listener!.attach(child as unknown as Worker);
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return child;
}

test('a worker killed mid-handoff: its connection is served by another worker, not left hanging', async () => {
  listener = await listenSticky({ bind: '127.0.0.1:0', path: '/socket.io/', socketMode: '660', headersTimeoutMs: 5000, log: pino({ level: 'silent' }) });
  const dying = await worker('die');
  const serving = await worker('serve');
  const { port } = listener.server.address() as AddressInfo;
  const died = new Promise((resolve) => dying.once('exit', resolve));
  // Round robin starts with the first ready worker: the one that dies on receipt.
  const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
  await died;
  expect(await response.text()).toBe(`served by ${serving.pid}`);
  // And the next connection goes straight to the survivor.
  expect(await (await fetch(`http://127.0.0.1:${port}/x`, { signal: AbortSignal.timeout(10_000) })).text()).toBe(`served by ${serving.pid}`);
});

test('a worker whose channel has closed gets no connections, and the master does not spin retrying it', async () => {
  listener = await listenSticky({ bind: '127.0.0.1:0', path: '/socket.io/', socketMode: '660', headersTimeoutMs: 5000, log: pino({ level: 'silent' }) });
  // The only worker, as at the end of a stop: every retry would pick it again.
  const leaving = await worker('hang-up');
  if (leaving.connected) await new Promise((resolve) => leaving.once('disconnect', resolve));
  const { port } = listener.server.address() as AddressInfo;
  const outcome = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) }).then(
    () => 'answered',
    (error: Error) => error.name,
  );
  // Closed at once (no worker to take it), not left to time out while the master spins.
  expect(outcome).toBe('TypeError');
  const serving = await worker('serve');
  expect(await (await fetch(`http://127.0.0.1:${port}/x`, { signal: AbortSignal.timeout(10_000) })).text()).toBe(`served by ${serving.pid}`);
});
