/**
 * The autoscaler with real workers and real load: CPU-bound requests grow the pool to
 * maxWorkers; when the load stops it shrinks back to minWorkers.
 */
import { jest } from '@jest/globals';
import { fixture, load, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(90_000);
let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.stop();
});

test('busy workers grow the pool to maxWorkers, and idleness shrinks it back to minWorkers', async () => {
  gw = await startGateway([
    fixture('gateway/ops-app.ts'), '--min-workers', '1', '--max-workers', '2',
    '--scale-up-after', '2', '--scale-down-after', '4', '--scale-cooldown', '1',
  ]);
  const idle = await gw.waitFor((s) => s.workers.filter((w) => w.state === 'ready').length === 1);
  expect(idle.target).toBe(1);
  // Each request burns 30 ms of CPU: four at a time keep every worker's event loop busy.
  const busy = load(`${gw.url}/block?ms=30`, 600, 4, { signal: AbortSignal.timeout(60_000) });
  const grown = await gw.waitFor((s) => s.target === 2 && s.workers.filter((w) => w.state === 'ready').length === 2, 40_000);
  expect(grown.workers).toHaveLength(2);
  const result = await busy;
  expect(result.errors).toEqual([]);
  const shrunk = await gw.waitFor((s) => s.target === 1 && s.workers.length === 1, 30_000);
  expect(shrunk.restarts['scale-down']).toBe(1);
  const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
  expect(metrics).toMatch(/gateway_autoscale_decisions_total\{decision="up"\} [1-9]/);
  expect(metrics).toMatch(/gateway_autoscale_decisions_total\{decision="down"\} [1-9]/);
});
