/**
 * The autoscaling policy plugged into the arbiter: keeps the policy's state between ticks, feeds it the
 * ready workers' load, and tells it about manual moves. The arbiter still owns the target and clamps
 * whatever this proposes.
 */
import type { ArbiterPlugins } from '../master/arbiter.ts';
import { applyManualTarget, decideTarget, initialAutoscaleState } from './policy.ts';
import type { AutoscaleResult, AutoscaleState, PoolBounds } from './policy.ts';
import type { AutoscaleSettings } from './settings.ts';

/** What `createAutoscalePlugin` needs: the settings (read each tick, so HUP reloads apply) and an observer. */
export interface AutoscalePluginOptions {
  settings: () => AutoscaleSettings;
  /** Every tick's and every manual move's outcome: for the decisions counter and the log. */
  onDecision?: (result: AutoscaleResult) => void;
}

/** The `autoscale` and `manualTarget` members of ArbiterPlugins, backed by the pure policy. */
export function createAutoscalePlugin(options: AutoscalePluginOptions): Required<Pick<ArbiterPlugins, 'autoscale' | 'manualTarget'>> {
  let state: AutoscaleState | null = null;
  let bounds: PoolBounds = { minWorkers: 1, maxWorkers: 1 };
  return {
    autoscale({ now, target, bounds: pool, workers }) {
      bounds = { minWorkers: pool.min, maxWorkers: pool.max };
      state ??= initialAutoscaleState(bounds, target);
      // The arbiter may have moved the target itself (a reload with new bounds): follow it.
      if (state.target !== target) state = { ...state, target };
      const sample = workers.map((w) => ({ elu: w.load.elu, inFlight: w.load.inFlight }));
      const result = decideTarget(state, sample, { ...options.settings(), ...bounds }, now);
      state = result.state;
      options.onDecision?.(result);
      return result.target;
    },
    manualTarget(target, now) {
      const from = state ?? initialAutoscaleState(bounds, target);
      const result = applyManualTarget(from, target, bounds, now);
      state = result.state;
      options.onDecision?.(result);
    },
  };
}
