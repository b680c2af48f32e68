/**
 * The autoscaling policy: a pure function from (state, this tick's load sample, settings, clock) to the
 * next target. No I/O and no timers: the master calls it once per tick and owns the clock, so recorded
 * load traces replay exactly in tests.
 *
 * Shape (uWSGI "cheaper" busyness + PHP-FPM dynamic):
 * - busy = mean event-loop utilisation of the serving workers above `scaleUpThreshold`, or every worker
 *   holding `scaleUpInFlight` requests (when that is on). Busy without a break for `scaleUpAfter` s → +step.
 * - idle = mean utilisation below `scaleDownThreshold`, and one worker fewer would still stay below the
 *   up threshold (so a scale-down can never trigger the next scale-up under the same load). Idle without
 *   a break for `scaleDownAfter × idleMultiplier` s → −1.
 * - after every change (automatic or manual) hold for `scaleCooldown` s, and count the next streak from
 *   scratch: a new worker's first utilisation figures say nothing yet.
 * - anti-flapping: a scale-up within one idle period of the last scale-down raises the idle multiplier by
 *   `scaleDownPenalty` (capped), so a sawtooth load is followed more and more slowly downwards; a scale-up
 *   long after the last scale-down resets it.
 * - the target never leaves [min, max]; while the pool has fewer serving workers than the target (workers
 *   still booting) the policy holds rather than stacking more spawns on top.
 */
import type { AutoscaleSettings } from './settings.ts';

/** The autoscaler's memory between ticks; treat as opaque and pass back what `decideTarget` returned. */
export interface AutoscaleState {
  target: number;
  /** Epoch ms of the first busy sample of the current busy streak, or null. */
  busySince: number | null;
  /** Epoch ms of the first idle sample of the current idle streak, or null. */
  idleSince: number | null;
  /** Epoch ms of the last change of the target (automatic or manual), or null. */
  lastChangeAt: number | null;
  /** Epoch ms of the last automatic scale-down, or null. */
  lastDownAt: number | null;
  /** Multiplies `scaleDownAfter`; raised by flapping, reset by a calm scale-up. */
  idleMultiplier: number;
}

/** The load of one serving worker this tick (a subset of protocol.ts WorkerLoad). */
export interface WorkerSample {
  elu: number;
  inFlight: number;
}

/** Pool bounds; equal bounds mean a fixed pool (the policy then only clamps). */
export interface PoolBounds {
  minWorkers: number;
  maxWorkers: number;
}

export type ScaleDecision = 'up' | 'down' | 'hold';

/** What `decideTarget` returns: the new target, the state to pass back next tick, and why. */
export interface AutoscaleResult {
  target: number;
  state: AutoscaleState;
  decision: ScaleDecision;
  reason: string;
}

/** The idle multiplier never grows past this: 30 s × 8 = 4 minutes of idleness at the defaults. */
export const MAX_IDLE_MULTIPLIER = 8;

const clamp = (n: number, bounds: PoolBounds): number => Math.min(bounds.maxWorkers, Math.max(bounds.minWorkers, n));

/** The state of a pool that starts at `initialTarget` (default: the minimum). */
export function initialAutoscaleState(bounds: PoolBounds, initialTarget = bounds.minWorkers): AutoscaleState {
  return {
    target: clamp(initialTarget, bounds),
    busySince: null,
    idleSince: null,
    lastChangeAt: null,
    lastDownAt: null,
    idleMultiplier: 1,
  };
}

/**
 * Manual move (TTIN/TTOU, admin POST /workers): set the target within the bounds. The autoscaler
 * respects it as it respects its own changes: it holds for a cooldown and then needs a full busy or idle
 * streak, counted from the move, before it changes the target again.
 */
export function applyManualTarget(state: AutoscaleState, requested: number, bounds: PoolBounds, now: number): AutoscaleResult {
  const target = clamp(Math.round(requested), bounds);
  const decision: ScaleDecision = target > state.target ? 'up' : target < state.target ? 'down' : 'hold';
  const reason = target === Math.round(requested) ? `manual target ${target}` : `manual target ${requested} clamped to ${target}`;
  const next: AutoscaleState = { ...state, target, busySince: null, idleSince: null, lastChangeAt: now };
  return { target, state: next, decision, reason };
}

function isBusy(workers: readonly WorkerSample[], meanElu: number, settings: AutoscaleSettings): boolean {
  if (meanElu > settings.scaleUpThreshold) return true;
  return settings.scaleUpInFlight > 0 && workers.every((w) => w.inFlight >= settings.scaleUpInFlight);
}

/** One tick of the policy. `workers` are the serving (ready) workers only. */
export function decideTarget(
  state: AutoscaleState,
  workers: readonly WorkerSample[],
  settings: AutoscaleSettings & PoolBounds,
  now: number,
): AutoscaleResult {
  const hold = (next: AutoscaleState, reason: string): AutoscaleResult => ({ target: next.target, state: next, decision: 'hold', reason });
  const clamped = clamp(state.target, settings);
  if (clamped !== state.target) {
    const next = { ...state, target: clamped, busySince: null, idleSince: null, lastChangeAt: now };
    return { target: clamped, state: next, decision: clamped > state.target ? 'up' : 'down', reason: 'bounds changed' };
  }
  if (settings.minWorkers === settings.maxWorkers) return hold(state, 'fixed pool');
  if (workers.length < state.target) {
    return hold({ ...state, busySince: null, idleSince: null }, `waiting for ${state.target - workers.length} worker(s) to be ready`);
  }
  if (state.lastChangeAt !== null && now - state.lastChangeAt < settings.scaleCooldown * 1000) {
    return hold({ ...state, busySince: null, idleSince: null }, 'cooldown');
  }

  const n = workers.length;
  const meanElu = workers.reduce((sum, w) => sum + w.elu, 0) / n;
  const elu = meanElu.toFixed(2);

  if (isBusy(workers, meanElu, settings)) {
    const busySince = state.busySince ?? now;
    const next = { ...state, busySince, idleSince: null };
    if (state.target >= settings.maxWorkers) return hold(next, `busy (elu ${elu}) at maxWorkers`);
    if (now - busySince < settings.scaleUpAfter * 1000) return hold(next, `busy (elu ${elu})`);
    const flapped = state.lastDownAt !== null && now - state.lastDownAt < settings.scaleDownAfter * state.idleMultiplier * 1000;
    const idleMultiplier = flapped ? Math.min(MAX_IDLE_MULTIPLIER, state.idleMultiplier + settings.scaleDownPenalty) : 1;
    const target = clamp(state.target + settings.scaleUpStep, settings);
    const reason = `busy (elu ${elu}) for ${settings.scaleUpAfter}s${flapped ? `, soon after a scale-down: idle period ×${idleMultiplier}` : ''}`;
    return { target, decision: 'up', reason, state: { ...next, target, busySince: null, lastChangeAt: now, idleMultiplier } };
  }

  // One worker fewer must not push the rest over the up threshold, or the next tick would undo this.
  const idle = meanElu < settings.scaleDownThreshold && (n <= 1 || (meanElu * n) / (n - 1) <= settings.scaleUpThreshold);
  if (!idle) return hold({ ...state, busySince: null, idleSince: null }, `steady (elu ${elu})`);
  const idleSince = state.idleSince ?? now;
  const next = { ...state, busySince: null, idleSince };
  if (state.target <= settings.minWorkers) return hold(next, `idle (elu ${elu}) at minWorkers`);
  const idleFor = settings.scaleDownAfter * state.idleMultiplier;
  if (now - idleSince < idleFor * 1000) return hold(next, `idle (elu ${elu})`);
  const target = state.target - 1;
  return {
    target,
    decision: 'down',
    reason: `idle (elu ${elu}) for ${idleFor}s`,
    state: { ...next, target, idleSince: null, lastChangeAt: now, lastDownAt: now },
  };
}
