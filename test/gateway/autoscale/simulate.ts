/**
 * A tiny pool simulator for the policy tests: one tick a second, total load in "worker units" (1 = one
 * worker's event loop fully busy) shared evenly by the serving workers, new workers ready `bootTicks`
 * after the target rises, a retired worker gone at once.
 */
import { decideTarget, initialAutoscaleState } from '../../../gateway/autoscale/policy.ts';
import type { AutoscaleResult, PoolBounds } from '../../../gateway/autoscale/policy.ts';
import { DEFAULT_AUTOSCALE_SETTINGS } from '../../../gateway/autoscale/settings.ts';
import type { AutoscaleSettings } from '../../../gateway/autoscale/settings.ts';

export interface Simulation {
  targets: number[];
  results: AutoscaleResult[];
}

/** Runs `loads` (one entry a tick) through the policy and returns the target after each tick. */
export function simulate(
  loads: readonly number[],
  bounds: PoolBounds,
  overrides: Partial<AutoscaleSettings> = {},
  bootTicks = 1,
): Simulation {
  const settings = { ...DEFAULT_AUTOSCALE_SETTINGS, ...overrides, ...bounds };
  let state = initialAutoscaleState(bounds);
  let serving = state.target;
  const readyAt: number[] = [];
  const targets: number[] = [];
  const results: AutoscaleResult[] = [];
  loads.forEach((load, tick) => {
    while (readyAt.length > 0 && (readyAt[0] ?? Infinity) <= tick) {
      readyAt.shift();
      serving += 1;
    }
    const elu = Math.min(1, load / serving);
    const workers = Array.from({ length: serving }, () => ({ elu, inFlight: Math.ceil(load / serving) }));
    const result = decideTarget(state, workers, settings, tick * 1000);
    const pending = serving + readyAt.length;
    for (let i = pending; i < result.target; i += 1) readyAt.push(tick + bootTicks);
    if (result.target < pending) {
      const drop = pending - result.target;
      readyAt.splice(Math.max(0, readyAt.length - drop));
      serving = Math.min(serving, result.target);
    }
    state = result.state;
    targets.push(result.target);
    results.push(result);
  });
  return { targets, results };
}

/** "1x3 2x8" → [1,1,1,2,2,2,2,2,2,2,2]: traces written as runs, as a reader would describe them. */
export function runs(spec: string): number[] {
  return spec.split(/\s+/).flatMap((run) => {
    const [value, count] = run.split('x').map(Number);
    return Array.from({ length: count ?? 1 }, () => value ?? NaN);
  });
}

/** The inverse of `runs`, so a failing assertion prints a readable trace. */
export function toRuns(values: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j += 1;
    out.push(`${values[i]}x${j - i}`);
    i = j;
  }
  return out.join(' ');
}

/** Load traces built from (value, ticks) segments. */
export function trace(...segments: Array<[load: number, ticks: number]>): number[] {
  return segments.flatMap(([load, ticks]) => Array.from({ length: ticks }, () => load));
}
