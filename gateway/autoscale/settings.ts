/**
 * The autoscaler's settings as data, one entry per setting, in the shape of the gateway's settings
 * registry (name, CLI flag, env name, zod schema, default, one-line doc) so the lead's registry can
 * spread `AUTOSCALE_SETTINGS` into its own table. `minWorkers`/`maxWorkers` belong to the core
 * registry (their default maximum comes from gateway/system/cpu-budget.ts); these tune the policy.
 *
 * Defaults, and where they come from (see docs/autoscaling.md for the longer story):
 * - thresholds 0.7 / 0.25: uWSGI's busyness plugin spawns above 50 % busy and cheaps below 25 %. Event-loop
 *   utilisation is the same kind of "fraction of time busy", but a Node worker keeps serving well at 50 %,
 *   so we spawn later (70 %). Keeping low < high / 2 means a scale-up from 1 to 2 under the same load
 *   lands above the low threshold, so it cannot be undone at once (the policy also checks that directly).
 * - scale up after 3 s busy: uWSGI `cheaper-overload` is 3 cycles of its 1 s master loop.
 * - scale down after 30 s idle: uWSGI busyness cheaps after `multiplier` (10) idle cycles of
 *   `cheaper-overload` (3 s); "increase workers faster and decrease workers slower".
 * - step 1: uWSGI `cheaper-step` default; pools here are small (CPU-bound, one worker per CPU).
 * - penalty 2: uWSGI `cheaper-busyness-penalty` default; a scale-up soon after a scale-down
 *   lengthens the next idle period.
 * - cooldown 5 s: a new worker needs to boot, become ready and send a couple of heartbeats before its
 *   event-loop utilisation says anything about the pool.
 */
import { z } from 'zod';

/** One setting: the same shape as an entry of the gateway's settings registry. */
export interface AutoscaleSettingSpec<K extends keyof AutoscaleSettings = keyof AutoscaleSettings> {
  name: K;
  flag: string;
  env: string;
  schema: z.ZodType<AutoscaleSettings[K]>;
  default: AutoscaleSettings[K];
  doc: string;
}

/** Tuning of the autoscaling policy; durations in seconds, utilisation as a fraction 0..1. */
export interface AutoscaleSettings {
  scaleUpThreshold: number;
  scaleDownThreshold: number;
  scaleUpInFlight: number;
  scaleUpAfter: number;
  scaleDownAfter: number;
  scaleUpStep: number;
  scaleCooldown: number;
  scaleDownPenalty: number;
}

const fraction = z.number().gt(0).lt(1);
const seconds = z.number().min(0).max(3600);

/** The registry entries, in the order `--help` and the docs list them. */
export const AUTOSCALE_SETTINGS = [
  {
    name: 'scaleUpThreshold',
    flag: '--scale-up-threshold',
    env: 'GATEWAY_SCALE_UP_THRESHOLD',
    schema: fraction,
    default: 0.7,
    doc: 'Mean event-loop utilisation of the serving workers above which the pool counts as busy.',
  },
  {
    name: 'scaleDownThreshold',
    flag: '--scale-down-threshold',
    env: 'GATEWAY_SCALE_DOWN_THRESHOLD',
    schema: fraction,
    default: 0.25,
    doc: 'Mean event-loop utilisation below which the pool counts as idle.',
  },
  {
    name: 'scaleUpInFlight',
    flag: '--scale-up-in-flight',
    env: 'GATEWAY_SCALE_UP_IN_FLIGHT',
    schema: z.number().int().min(0),
    default: 0,
    doc: 'Also busy when every worker has at least this many requests in flight (0: off; in-flight alone usually means waiting on I/O).',
  },
  {
    name: 'scaleUpAfter',
    flag: '--scale-up-after',
    env: 'GATEWAY_SCALE_UP_AFTER',
    schema: seconds,
    default: 3,
    doc: 'Seconds the pool must stay busy before it grows.',
  },
  {
    name: 'scaleDownAfter',
    flag: '--scale-down-after',
    env: 'GATEWAY_SCALE_DOWN_AFTER',
    schema: seconds,
    default: 30,
    doc: 'Seconds the pool must stay idle before it shrinks by one worker (lengthened by the penalty after flapping).',
  },
  {
    name: 'scaleUpStep',
    flag: '--scale-up-step',
    env: 'GATEWAY_SCALE_UP_STEP',
    schema: z.number().int().min(1),
    default: 1,
    doc: 'Workers added per scale-up.',
  },
  {
    name: 'scaleCooldown',
    flag: '--scale-cooldown',
    env: 'GATEWAY_SCALE_COOLDOWN',
    schema: seconds,
    default: 5,
    doc: 'Seconds after any change of the target (automatic or manual) during which the autoscaler holds.',
  },
  {
    name: 'scaleDownPenalty',
    flag: '--scale-down-penalty',
    env: 'GATEWAY_SCALE_DOWN_PENALTY',
    schema: z.number().int().min(0).max(10),
    default: 2,
    doc: 'A scale-up soon after a scale-down multiplies the next idle period by 1 + this much more (0: off).',
  },
] as const satisfies readonly AutoscaleSettingSpec[];

/** Every autoscale setting at its default. */
export const DEFAULT_AUTOSCALE_SETTINGS: AutoscaleSettings = Object.fromEntries(
  AUTOSCALE_SETTINGS.map((spec) => [spec.name, spec.default]),
) as unknown as AutoscaleSettings;
