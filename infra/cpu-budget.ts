/**
 * CPU requests the Kubernetes stack needs from a node at its busiest moment, and whether a kind
 * node has them. CPU only: memory sizing is derived elsewhere and kept apart on purpose.
 *
 * The scheduler places a pod only where the node's allocatable CPU minus the requests already on
 * it covers the pod's request (requests, not limits, decide). The busiest moment we plan for is a
 * rollout of both tiers (each Deployment surges one pod: `maxSurge: 1, maxUnavailable: 0`) while
 * the HPA runs its maximum of gateway pods (on kind the maximum is the minimum plus one: the HPA's
 * next pod). If that does not fit, a pod stays `Pending` and `pulumi up` or the rollout times out.
 */
import type { StackSpec } from './spec.ts';

/**
 * CPU a kind node's own pods request before ours: kube-apiserver 250m, kube-controller-manager
 * 200m, kube-scheduler 100m, etcd 100m, CoreDNS 2 × 100m, kindnet 100m (kind's control-plane
 * manifests and `pkg/build/nodeimage/const_cni.go`).
 */
export const KIND_SYSTEM_CPU_MILLIS = 950;

/** One line of the budget: a reason for pods of one tier, and what they request together. */
export interface CpuBudgetLine {
  what: string;
  pods: number;
  podCpuMillis: number;
  millis: number;
}

/** The peak CPU requests of the stack, line by line. */
export interface CpuBudget {
  lines: CpuBudgetLine[];
  peakMillis: number;
}

/** Peak CPU requests of the Kubernetes stack: gateway pods at the HPA maximum, nginx pods, one surge pod per tier. */
export function kubeCpuBudget(spec: StackSpec): CpuBudget {
  const gateway = spec.gateway.resources.cpuMillis;
  const nginx = spec.static.resources.cpuMillis;
  const line = (what: string, pods: number, podCpuMillis: number): CpuBudgetLine => ({ what, pods, podCpuMillis, millis: pods * podCpuMillis });
  const lines = [
    line('gateway pods at the HPA minimum', spec.scaling.hpa.minReplicas, gateway),
    line('gateway pods the HPA may add', spec.scaling.hpa.maxReplicas - spec.scaling.hpa.minReplicas, gateway),
    line('gateway rollout surge', 1, gateway),
    line('nginx pods', spec.static.replicas, nginx),
    line('nginx rollout surge', 1, nginx),
  ];
  return { lines, peakMillis: lines.reduce((sum, l) => sum + l.millis, 0) };
}

/** Whole cores a one-node kind cluster needs for this stack: ours at peak plus kind's own pods. */
export function kindMinimumCores(spec: StackSpec): number {
  return Math.ceil((kubeCpuBudget(spec).peakMillis + KIND_SYSTEM_CPU_MILLIS) / 1000);
}

/** '' when a kind node with `cores` CPUs holds the stack at its peak, else what does not fit and the fix. */
export function kindCpuProblem(spec: StackSpec, cores: number): string {
  const budget = kubeCpuBudget(spec);
  const free = cores * 1000 - KIND_SYSTEM_CPU_MILLIS;
  if (budget.peakMillis <= free) return '';
  const detail = budget.lines.filter((l) => l.millis > 0).map((l) => `${l.what} ${l.pods} × ${l.podCpuMillis}m`).join(', ');
  return `the kind stack requests ${budget.peakMillis}m CPU at its peak (${detail}), but a ${cores}-core node has ` +
    `${free}m left after kind's own ${KIND_SYSTEM_CPU_MILLIS}m: it needs ${kindMinimumCores(spec)} cores, ` +
    'or lower gatewayCpuMillis/staticCpuMillis in Pulumi.kind.yaml';
}
