/**
 * Worker bounds, pod bounds and the HPA CPU target, derived together from one CPU limit.
 *
 * A worker is one Node event loop: it can use at most about one core. So a gateway limited to
 * `cpuMillis` gains nothing beyond `ceil(cpuMillis / 1000)` workers; that is `workers.max`.
 * The CPU request equals the limit (Guaranteed QoS), so the HPA's utilisation is "share of the
 * limit in use". With `max - 1` workers fully busy a pod uses at most `(max - 1) / limit` of it;
 * the HPA target must sit above that, or Kubernetes would add pods while the gateway could still
 * add a worker. `deriveScaling` raises a wished target that is too low, and caps it at 95 %
 * (a pod never shows 100 % once throttled).
 */

/** Inputs of the derivation, all from the stack config. */
export interface ScalingInput {
  cpuMillis: number;
  minWorkers: number;
  /** An explicit upper bound on workers (the local stack's `--max-workers`); default: from the CPU limit. */
  maxWorkers?: number | undefined;
  replicas: number;
  maxReplicas: number;
  /** Wished HPA target, percent of the CPU request. */
  cpuTarget: number;
}

/** Derived bounds shared by the gateway settings, the container limits, the HPA and the PDB. */
export interface Scaling {
  workers: { min: number; max: number };
  hpa: { minReplicas: number; maxReplicas: number; cpuTargetPercent: number };
  /** CPU share (percent of the limit) a pod can reach with one worker fewer than its maximum. */
  belowMaxWorkersPercent: number;
  /** Voluntary disruptions (drains, rollouts) may take one gateway pod at a time. */
  disruption: { maxUnavailable: number };
}

const TARGET_MARGIN_PERCENT = 5;
const TARGET_CAP_PERCENT = 95;

/** Derive the bounds; throws with the setting's name on values that cannot run. */
export function deriveScaling(input: ScalingInput): Scaling {
  requireInteger('gatewayCpuMillis', input.cpuMillis, 100);
  requireInteger('minWorkers', input.minWorkers, 1);
  requireInteger('gatewayReplicas', input.replicas, 1);
  requireInteger('hpaMaxReplicas', input.maxReplicas, 1);
  requireInteger('hpaCpuTarget', input.cpuTarget, 1);
  if (input.maxWorkers !== undefined) requireInteger('maxWorkers', input.maxWorkers, 1);
  const max = input.maxWorkers ?? Math.max(1, Math.ceil(input.cpuMillis / 1000));
  const min = Math.min(input.minWorkers, max);
  const belowMax = Math.min(100, ((max - 1) * 1000 * 100) / input.cpuMillis);
  const floor = Math.ceil(belowMax) + TARGET_MARGIN_PERCENT;
  const cpuTargetPercent = Math.min(TARGET_CAP_PERCENT, Math.max(input.cpuTarget, floor));
  return {
    workers: { min, max },
    hpa: { minReplicas: input.replicas, maxReplicas: Math.max(input.replicas, input.maxReplicas), cpuTargetPercent },
    belowMaxWorkersPercent: Math.round(belowMax * 10) / 10,
    disruption: { maxUnavailable: 1 },
  };
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${value}`);
}
