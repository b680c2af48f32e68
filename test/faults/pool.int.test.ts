/**
 * Short versions of the pool fault scenarios against the real gateway (full versions, side by
 * side with PM2 and gunicorn: `npm run faults`). Each asserts what a user behind the gateway
 * would notice: failed requests, a hung worker that stays, a shutdown that drops requests.
 */
import { describe, expect, test } from '@jest/globals';
import {
  blockWorker,
  killWorkers,
  leakUnderLoad,
  recycleUnderLoad,
  reloadUnderLoad,
  termUnderLoad,
} from '../../bench/faults/pool-scenarios.ts';
import { killWebSocketWorker } from '../../bench/faults/websocket-scenarios.ts';
import { failures } from '../../bench/faults/load.ts';

describe('gateway under pool faults', () => {
  test('SIGKILLed workers under GET traffic through nginx: no failed request', async () => {
    const r = await killWorkers('gateway', 8, 2);
    expect(r.summary).toContain('workers killed');
    expect(r.tally!.ok).toBeGreaterThan(100);
    expect(failures(r.tally!)).toBe(0);
    expect(r.tally!.retried).toBe(0); // nginx in front: the client never sees a closed connection
  }, 60_000);

  test('SIGKILL of a worker holding echoing WebSockets: its clients get 1006 and reconnect elsewhere, the others lose nothing', async () => {
    const r = await killWebSocketWorker('gateway', 40, 4);
    expect(r.summary).toMatch(/: (\d+)× 1006; \1 reconnected to another worker/);
    expect(r.summary).toMatch(/kept theirs: 0 closed, 0 of [1-9][\d,]* echoes lost/);
    expect(r.passed).toBe(true);
  }, 60_000);

  test('a worker whose event loop blocks is replaced within timeout + 2 s while the others serve', async () => {
    const r = await blockWorker('gateway', 2);
    expect(r.summary).toMatch(/replaced [\d.]+ s after the block/);
    expect(r.passed).toBe(true);
  }, 60_000);

  test('TERM under load, clients honouring /readyz: every accepted request answered, exit 0 within the grace period', async () => {
    const r = await termUnderLoad('gateway', 5, { readinessFirst: true });
    expect(r.summary).toMatch(/exited 0 after/);
    expect(r.summary).toContain('accepted-and-lost 0');
    expect(r.passed).toBe(true);
    expect(r.tally!.retried).toBe(0);
  }, 60_000);

  test('HUP rolling reload under load: every worker replaced, the new ones serve, no failed request', async () => {
    const r = await reloadUnderLoad('gateway', 6);
    expect(r.summary).toContain('2 of 2 workers replaced');
    expect(r.tally!.ok).toBeGreaterThan(100);
    expect(r.summary).toMatch(/; [1-9][\d,]* answers from the new workers/);
    expect(failures(r.tally!)).toBe(0);
    // Draining workers say `Connection: close` instead of closing idle connections: no race to retry.
    expect(r.tally!.retried).toBe(0);
  }, 60_000);

  test('recycling every 200 requests under load: replacements serve, no failed request', async () => {
    const r = await recycleUnderLoad('gateway', 200, 6);
    expect(Object.keys(r.tally!.answeredBy).length).toBeGreaterThan(2);
    expect(failures(r.tally!)).toBe(0);
    expect(r.tally!.retried).toBe(0);
  }, 60_000);

  test('a leaking app is recycled at the memory ceiling with no failed request', async () => {
    const r = await leakUnderLoad('gateway', 180, 8);
    expect(Object.keys(r.tally!.answeredBy).length).toBeGreaterThan(2);
    expect(failures(r.tally!)).toBe(0);
    expect(r.tally!.retried).toBe(0);
  }, 60_000);
});
