import fc from 'fast-check';
import { applyManualTarget, decideTarget, initialAutoscaleState } from '../../../gateway/autoscale/policy.ts';
import { DEFAULT_AUTOSCALE_SETTINGS } from '../../../gateway/autoscale/settings.ts';
import { runs, simulate, toRuns, trace } from './simulate.ts';

const bounds = { minWorkers: 1, maxWorkers: 4 };
const settings = { ...DEFAULT_AUTOSCALE_SETTINGS, ...bounds };

// Load traces (one value a second, in worker units) and the worker-count trace the defaults give for
// them: 3 s busy → +1, a 5 s cooldown after each change, 30 s idle → −1, one second for a worker to boot.
const TRACES = [
  { name: 'idle pool stays at the minimum', load: trace([0.05, 60]), expected: '1x60' },
  { name: 'steady 1.5 CPUs settles at 3 workers and stays', load: trace([1.5, 60]), expected: '1x3 2x8 3x49' },
  {
    name: 'step idle → saturation → idle grows to max, then shrinks one worker per idle period',
    load: trace([0.1, 10], [3.5, 40], [0.1, 120]),
    expected: '1x13 2x8 3x8 4x51 3x35 2x35 1x20',
  },
  { name: 'a 2 s spike is ignored', load: trace([0.1, 10], [4, 2], [0.1, 20]), expected: '1x32' },
  {
    name: 'sawtooth: the load returns soon after a scale-down, so the pool stops shrinking (penalty)',
    load: [0, 1, 2, 3].flatMap(() => trace([2.5, 20], [0.1, 50])),
    expected: '1x3 2x8 3x8 4x35 3x19 4x207',
  },
  {
    name: 'slow sawtooth: idle periods long enough to shrink each time, no penalty kept',
    load: [0, 1].flatMap(() => trace([1.5, 20], [0.1, 120])),
    expected: '1x3 2x8 3x39 2x35 1x58 2x8 3x39 2x35 1x55',
  },
];

describe('autoscale policy on recorded load traces', () => {
  test.each(TRACES)('$name', ({ load, expected }) => {
    expect(toRuns(simulate(load, bounds).targets)).toBe(toRuns(runs(expected)));
  });

  test('a worker still booting holds the policy instead of stacking spawns', () => {
    const slowBoot = simulate(trace([4, 20]), bounds, {}, 6).targets;
    // up at t3, then 6 s of boot (longer than the 5 s cooldown), busy streak restarts at t9, up at t12.
    expect(toRuns(slowBoot)).toBe('1x3 2x9 3x8');
  });

  test('in-flight trigger: every worker holding requests counts as busy even at low utilisation', () => {
    const workers = [
      { elu: 0.1, inFlight: 12 },
      { elu: 0.1, inFlight: 10 },
    ];
    const s = { ...settings, scaleUpInFlight: 10 };
    let state = initialAutoscaleState(bounds, 2);
    for (const now of [0, 1000, 2000]) state = decideTarget(state, workers, s, now).state;
    const result = decideTarget(state, workers, s, 3000);
    expect(result).toMatchObject({ decision: 'up', target: 3 });
    const off = decideTarget(state, workers, settings, 3000);
    expect(off.decision).toBe('hold');
  });

  test('never scales down when one worker fewer would be busy again', () => {
    // low 0.5 / high 0.6: 2 workers at 0.45 are "idle", but 1 worker would run at 0.9.
    const s = { ...settings, scaleDownThreshold: 0.5, scaleUpThreshold: 0.6, scaleDownAfter: 1 };
    let state = initialAutoscaleState(bounds, 2);
    const workers = [
      { elu: 0.45, inFlight: 1 },
      { elu: 0.45, inFlight: 1 },
    ];
    for (let t = 0; t < 100; t += 1) {
      const result = decideTarget(state, workers, s, t * 1000);
      expect(result.target).toBe(2);
      state = result.state;
    }
  });
});

describe('manual moves and bounds', () => {
  test('TTIN/POST move the target within bounds, and the policy waits a full streak after them', () => {
    const start = initialAutoscaleState(bounds);
    const moved = applyManualTarget(start, 9, bounds, 0);
    expect(moved).toMatchObject({ target: 4, decision: 'up' });
    expect(moved.reason).toContain('clamped');
    // Idle from the move on: no scale-down before cooldown + scaleDownAfter have passed.
    let state = moved.state;
    const idle = Array.from({ length: 4 }, () => ({ elu: 0.01, inFlight: 0 }));
    const targets: number[] = [];
    for (let t = 0; t <= 36; t += 1) {
      const result = decideTarget(state, idle, settings, t * 1000);
      state = result.state;
      targets.push(result.target);
    }
    expect(toRuns(targets)).toBe('4x35 3x2');
    expect(applyManualTarget(state, 0, bounds, 40_000).target).toBe(1);
  });

  test('a fixed pool only holds, and new bounds clamp the target at once', () => {
    const fixed = { ...settings, minWorkers: 2, maxWorkers: 2 };
    const busy = [{ elu: 1, inFlight: 5 }, { elu: 1, inFlight: 5 }];
    const state = initialAutoscaleState(fixed);
    expect(decideTarget(state, busy, fixed, 10_000)).toMatchObject({ decision: 'hold', target: 2 });
    const shrunk = { ...settings, minWorkers: 1, maxWorkers: 1 };
    expect(decideTarget(state, busy, shrunk, 11_000)).toMatchObject({ decision: 'down', target: 1, reason: 'bounds changed' });
  });
});

describe('autoscale policy properties', () => {
  const boundsArb = fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 }))
    .map(([min, extra]) => ({ minWorkers: min, maxWorkers: min + extra }));
  const settingsArb = fc.record({
    scaleUpThreshold: fc.double({ min: 0.3, max: 0.95, noNaN: true }),
    // A fraction of the up threshold: includes close thresholds, where only the policy's own guard
    // keeps a scale-down from being undone by the next tick.
    scaleDownThreshold: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    scaleUpInFlight: fc.integer({ min: 0, max: 20 }),
    scaleUpAfter: fc.integer({ min: 0, max: 10 }),
    scaleDownAfter: fc.integer({ min: 0, max: 60 }),
    scaleUpStep: fc.integer({ min: 1, max: 4 }),
    scaleCooldown: fc.integer({ min: 0, max: 10 }),
    scaleDownPenalty: fc.integer({ min: 0, max: 4 }),
  });

  test('the target never leaves [min, max], whatever the samples and manual moves', () => {
    const tick = fc.oneof(
      fc.array(fc.record({ elu: fc.double({ min: 0, max: 1, noNaN: true }), inFlight: fc.nat(50) }), { maxLength: 10 }),
      fc.integer({ min: -5, max: 20 }), // a manual move to this many workers
    );
    fc.assert(
      fc.property(boundsArb, settingsArb, fc.array(tick, { maxLength: 200 }), (b, s, ticks) => {
        let state = initialAutoscaleState(b);
        ticks.forEach((t, i) => {
          const result = typeof t === 'number' ? applyManualTarget(state, t, b, i * 1000) : decideTarget(state, t, { ...s, ...b }, i * 1000);
          expect(result.target).toBeGreaterThanOrEqual(b.minWorkers);
          expect(result.target).toBeLessThanOrEqual(b.maxWorkers);
          expect(result.state.target).toBe(result.target);
          state = result.state;
        });
      }),
    );
  });

  test('under constant load the pool never scales down and then up again (no oscillation)', () => {
    fc.assert(
      fc.property(boundsArb, settingsArb, fc.double({ min: 0, max: 4, noNaN: true }), fc.integer({ min: 0, max: 5 }), (b, s, load, boot) => {
        const tuned = { ...s, scaleDownThreshold: s.scaleDownThreshold * s.scaleUpThreshold, scaleUpInFlight: 0 };
        const { results } = simulate(trace([load, 300]), b, tuned, boot);
        const moves = results.map((r) => r.decision).filter((d) => d !== 'hold').join('');
        // At most one reversal, and only up-then-down (a step of several workers overshooting).
        expect(moves).toMatch(/^(up)*(down)*$/);
      }),
      { numRuns: 1000 },
    );
  });
});
