/**
 * The gateway's memory limit from a measured footprint: the peak it plans for, the headroom on
 * top, and a recycling ceiling that keeps a worker from taking the container past its limit.
 */
import { FOOTPRINT, HEADROOM, checkedGatewayMemory, gatewayMemory, recyclingCeiling, type MemoryFootprint } from '../../infra/memory-budget.ts';

const measured: MemoryFootprint = {
  measured: '2026-12-03T00:00:00Z', command: 'test', app: 'app.js',
  masterMiB: { idle: 80, load: 82 }, workerMiB: { idle: 80, load: 120 },
};

test('the limit covers master, every worker under load and one fresh replacement, plus the headroom', () => {
  const { peakMb, limitMb } = gatewayMemory(2, measured);
  expect(peakMb).toBe(82 + 2 * 120 + 80);
  expect(limitMb).toBeGreaterThanOrEqual(peakMb * (1 + HEADROOM));
  expect(limitMb % 16).toBe(0);
  expect(gatewayMemory(3, measured).limitMb).toBeGreaterThan(limitMb);
});

test.each([1, 2, 4])('with %i worker(s) at their recycling ceiling, the master and a replacement still fit the limit', (workers) => {
  const { limitMb, maxWorkerMemoryMb } = gatewayMemory(workers, measured);
  expect(maxWorkerMemoryMb).toBeGreaterThan(measured.workerMiB.load);
  expect(measured.masterMiB.load + workers * maxWorkerMemoryMb + measured.workerMiB.idle).toBeLessThanOrEqual(limitMb);
});

test('a requested limit is kept when it covers the peak and refused below it', () => {
  expect(checkedGatewayMemory(1024, 2, measured)).toMatchObject({ limitMb: 1024, maxWorkerMemoryMb: recyclingCeiling(1024, 2, measured) });
  expect(() => checkedGatewayMemory(400, 2, measured)).toThrow(/gatewayMemoryMb 400 is below the measured peak of 402 MiB for 2 worker\(s\)/);
});

test('infra/memory-footprint.json holds a measurement and the command that refreshes it', () => {
  expect(FOOTPRINT.command).toMatch(/^npm run bench:boot-memory -- .*--write-infra/);
  expect(FOOTPRINT.workerMiB.load).toBeGreaterThanOrEqual(FOOTPRINT.workerMiB.idle);
  expect(Number.isNaN(Date.parse(FOOTPRINT.measured))).toBe(false);
});
