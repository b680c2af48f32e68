/**
 * The benchmark's arithmetic: ratios taken round by round, the targets checked against them, and
 * the A/A control that says how much of a ratio this machine alone can explain.
 */
import { describe, expect, test } from '@jest/globals';
import { checkMemory, checkTargets, memoryRows, noiseFloor, summarize } from '../../bench/lib/summary.ts';
import type { Series } from '../../bench/lib/rounds.ts';

function series(contender: string, rps: number[], via: Series['via'] = 'direct', cpu = 30): Series {
  return {
    contender,
    via,
    case: 'GET /',
    idleRssBytes: 100 * 2 ** 20,
    rounds: rps.map((r) => ({ requests: r * 6, rps: r, p50Ms: 1, p99Ms: 64_000 / r, errors: 0, rssLoadBytes: 120 * 2 ** 20, cpuUsPerRequest: cpu })),
  };
}

describe('paired ratios', () => {
  test('a slow minute that hits both contenders in the same round cancels out', () => {
    // Round 2 is slow for both: every per-round ratio is still 0.9.
    const rows = summarize([series('gateway', [900, 450, 900]), series('raw-cluster', [1000, 500, 1000])]);
    const raw = rows.find((r) => r.contender === 'raw-cluster')!;
    expect(raw.gatewayRpsRatio).toBeCloseTo(0.9);
    expect(raw.rps).toBe(1000);
    expect(raw.rpsRange).toEqual([500, 1000]);
  });

  test('the throughput target is met at 0.95 and missed below it, with the per-round spread', () => {
    const met = checkTargets([series('gateway', [960, 950, 940]), series('raw-cluster', [1000, 1000, 1000])]);
    const throughput = met.find((c) => c.what === 'GET /: gateway / raw-cluster throughput')!;
    expect(throughput.value).toBeCloseTo(0.95);
    expect(throughput.met).toBe(true);
    expect(throughput.spread).toEqual([0.94, 0.96]);
    const missed = checkTargets([series('gateway', [900, 930, 940]), series('raw-cluster', [1000, 1000, 1000])]);
    expect(missed.find((c) => c.what === 'GET /: gateway / raw-cluster throughput')!.met).toBe(false);
  });

  test('a target is checked only where both sides were measured', () => {
    const checks = checkTargets([series('gateway', [1000]), series('raw-cluster', [1000])]);
    expect(checks.some((c) => c.what.includes('pm2'))).toBe(false);
    expect(checks.some((c) => c.what.includes('behind nginx'))).toBe(false);
  });
});

describe('the A/A control', () => {
  test('reports the twin against the raw cluster for every path both were measured on', () => {
    const control = noiseFloor([
      series('raw-cluster', [1000, 1000, 1000, 1000, 1000]),
      series('raw-cluster-twin', [1100, 900, 1050, 1000, 960]),
      series('raw-cluster', [500, 500, 500], 'nginx'),
      series('raw-cluster-twin', [500, 500, 500], 'nginx'),
    ]);
    const direct = control.find((c) => c.what === 'GET /: raw-cluster-twin / raw-cluster throughput')!;
    expect(direct.value).toBeCloseTo(1.0);
    expect(direct.spread).toEqual([0.9, 1.1]);
    expect(control.find((c) => c.what === 'GET /: behind nginx, raw-cluster-twin / raw-cluster throughput')!.spread).toEqual([1, 1]);
    expect(control.map((c) => c.what.replace(/.* raw-cluster /, ''))).toEqual(['throughput', 'p99', 'CPU per request', 'throughput', 'p99', 'CPU per request']);
  });

  test('is empty when the twin was not run (--only without it)', () => {
    expect(noiseFloor([series('gateway', [1000]), series('raw-cluster', [1000])])).toEqual([]);
  });
});

describe('memory goals', () => {
  const MiB = 2 ** 20;
  /** A pool with a master and workers of the given RSS (MiB), idle and in every round under load. */
  function pool(contender: string, master: number, worker: number, workers = 2): Series {
    const shape = { tree: (master + workers * worker) * MiB, master: master * MiB, worker: worker * MiB };
    const base = series(contender, [1000, 1000, 1000]);
    return { ...base, idleRssBytes: shape.tree, idleRss: shape, rounds: base.rounds.map((r) => ({ ...r, rssLoadBytes: shape.tree, rssLoad: shape })) };
  }
  const find = (checks: ReturnType<typeof checkMemory>, text: string) => checks.find((c) => c.what.includes(text))!;

  test('a tree within 1.15× the raw cluster and workers within +8 MiB meet the goals', () => {
    const checks = checkMemory([pool('gateway', 82, 84), pool('raw-cluster', 78, 78)]);
    expect(checks).toHaveLength(4);
    expect(find(checks, 'idle: gateway tree').value).toBeCloseTo(250 / 234);
    expect(find(checks, 'under load: gateway worker').value).toBeCloseTo(6);
    expect(checks.every((c) => c.met)).toBe(true);
  });

  test('a worker 9 MiB over a raw worker misses, though the tree ratio is met', () => {
    const checks = checkMemory([pool('gateway', 70, 87), pool('raw-cluster', 78, 78)]);
    expect(find(checks, 'idle: gateway tree').met).toBe(true);
    expect(find(checks, 'idle: gateway worker').met).toBe(false);
    expect(find(checks, 'under load: gateway worker').value).toBeCloseTo(9);
  });

  test('the memory table gives every contender reached directly, in MiB', () => {
    const rows = memoryRows([pool('gateway', 82, 84), pool('raw-cluster', 78, 78), { ...pool('gateway', 1, 1), via: 'nginx' }]);
    expect(rows.map((r) => r.contender)).toEqual(['gateway', 'raw-cluster']);
    expect(rows[0]!.load).toEqual({ tree: 250, master: 82, worker: 84 });
  });
});

test('the access log on is held to 0.90 of the raw cluster', () => {
  const checks = checkTargets([series('gateway', [1000]), series('raw-cluster', [1000]), series('gateway-logged', [890])]);
  const logged = checks.find((c) => c.what === 'GET /: gateway-logged / raw-cluster throughput')!;
  expect(logged.goal).toBe('≥ 0.90');
  expect(logged.met).toBe(false);
});
