/**
 * The pool's size bounds from the worker settings: `--workers N` alone is a fixed pool; a
 * `--min-workers`/`--max-workers` pair that differs makes it autoscale (uWSGI's cheaper mode).
 */
import { GatewayError } from '../errors.ts';
import type { Settings } from './registry.ts';

export interface PoolBounds {
  /** Workers forked at start. */
  initial: number;
  min: number;
  max: number;
  autoscale: boolean;
}

/**
 * @param explicitWorkers whether `workers` was set by a source (not defaulted)
 * @param cpus the CPUs this process may use: the default upper bound
 */
export function resolvePool(settings: Settings, explicitWorkers: boolean, cpus: number): PoolBounds {
  const { workers, minWorkers, maxWorkers } = settings;
  if (minWorkers === undefined && maxWorkers === undefined) {
    return { initial: workers, min: workers, max: workers, autoscale: false };
  }
  const min = minWorkers ?? 1;
  const max = maxWorkers ?? Math.max(min, cpus);
  if (min > max) throw new GatewayError('CONFIG_INVALID', `minWorkers (${min}) is greater than maxWorkers (${max})`);
  if (explicitWorkers && (workers < min || workers > max)) {
    throw new GatewayError('CONFIG_INVALID', `workers (${workers}) must be within minWorkers..maxWorkers (${min}..${max})`);
  }
  return { initial: explicitWorkers ? workers : min, min, max, autoscale: min !== max };
}
