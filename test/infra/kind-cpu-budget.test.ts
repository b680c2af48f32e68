/**
 * Does the kind stack fit the 2-core laptop it is sized for? The arithmetic is done over the
 * objects the program declares for Pulumi.kind.yaml (captured through Pulumi's mocks), not over
 * the config: CPU requests of each Deployment, its surge, the HPA's bounds; against 2000m minus
 * the ~950m a kind node's own pods request. No cluster here, so this is the closest real check.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as pulumi from '@pulumi/pulumi';
import { KIND_SYSTEM_CPU_MILLIS, kindCpuProblem, kindMinimumCores, kubeCpuBudget } from '../../infra/cpu-budget.ts';
import { readInfraConfig } from '../../infra/config.ts';
import type { KubeObject } from '../../infra/policies/kubernetes.ts';
import { KIND_STACK_FILE, loadStackFile } from '../../infra/render-manifests.ts';
import { stackSpec, type StackConfig, type StackSpec } from '../../infra/spec.ts';
import { captureStack, kubernetesObjects } from '../../infra/testing/capture.ts';

const LAPTOP_CORES = 2;

/** Kubernetes CPU quantity ("250m", "1", "1.5") in millicores. */
function millis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

let spec: StackSpec;
let objects: KubeObject[];
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

beforeAll(async () => {
  loadStackFile(KIND_STACK_FILE);
  const { stack, deploy } = readInfraConfig(new pulumi.Config('ts-gateway-kit'));
  const captured = await captureStack(stack, deploy);
  spec = captured.spec;
  objects = kubernetesObjects(captured.resources);
});

/** Peak requests read from the declared objects: every pod the Deployments and the HPA may run at once. */
function peakFromObjects(): { millis: number; parts: string[] } {
  const hpa = find('HorizontalPodAutoscaler', 'ts-gateway-kit-gateway');
  const parts: string[] = [];
  let total = 0;
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    const podCpu = deployment.spec.template.spec.containers.reduce((sum: number, c: KubeObject) => sum + millis(c.resources.requests.cpu), 0);
    const scaled = hpa.spec.scaleTargetRef.name === deployment.metadata.name;
    // A Deployment the HPA owns has no replicas of its own; the HPA may run up to its maximum.
    const pods = (scaled ? hpa.spec.maxReplicas : deployment.spec.replicas) + deployment.spec.strategy.rollingUpdate.maxSurge;
    parts.push(`${deployment.metadata.name}: ${pods} × ${podCpu}m`);
    total += pods * podCpu;
  }
  return { millis: total, parts };
}

describe('the kind stack on a 2-core node', () => {
  test('the HPA can add a pod over the minimum', () => {
    const hpa = find('HorizontalPodAutoscaler', 'ts-gateway-kit-gateway');
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });

  test('one pod of each tier, a surge pod of each and the HPA\'s next pod fit in 2000m − 950m', () => {
    const peak = peakFromObjects();
    expect(peak.parts).toEqual(['ts-gateway-kit-gateway: 3 × 250m', 'ts-gateway-kit-nginx: 2 × 100m']);
    expect(peak.millis).toBeLessThanOrEqual(LAPTOP_CORES * 1000 - KIND_SYSTEM_CPU_MILLIS);
  });

  test('the preflight\'s budget (from the spec) agrees with the declared objects', () => {
    expect(kubeCpuBudget(spec).peakMillis).toBe(peakFromObjects().millis);
    expect(kindMinimumCores(spec)).toBe(LAPTOP_CORES);
    expect(kindCpuProblem(spec, LAPTOP_CORES)).toBe('');
  });

  test('worker bounds and the HPA target still come from the one derivation', () => {
    const c = find('Deployment', 'ts-gateway-kit-gateway').spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: KubeObject) => [e.name, e.value]));
    expect(env.GATEWAY_MAX_WORKERS).toBe(String(Math.ceil(millis(c.resources.limits.cpu) / 1000)));
    expect(find('HorizontalPodAutoscaler', 'ts-gateway-kit-gateway').spec.metrics[0].resource.target.averageUtilization)
      .toBe(spec.scaling.hpa.cpuTargetPercent);
  });
});

describe('the check fails where the stack does not fit', () => {
  // The sizing before 2026-12-03: a 1500m gateway, 250m nginx, HPA up to 3.
  const oldKind: StackConfig = { target: 'kubernetes', gatewayReplicas: 1, hpaMaxReplicas: 3, gatewayCpuMillis: 1500, staticCpuMillis: 250 };

  test('the old sizing needs 8 cores, and the message says why and what to change', () => {
    const old = stackSpec(oldKind);
    expect(kubeCpuBudget(old).peakMillis).toBe(4 * 1500 + 2 * 250);
    const problem = kindCpuProblem(old, 2);
    expect(problem).toMatch(/requests 6500m CPU at its peak/);
    expect(problem).toMatch(/1050m left after kind's own 950m: it needs 8 cores/);
    expect(problem).toMatch(/gatewayCpuMillis/);
    expect(kindCpuProblem(old, 8)).toBe('');
  });

  test('one more HPA pod on the current sizing no longer fits 2 cores', () => {
    const bigger = stackSpec({ ...readKindConfig(), hpaMaxReplicas: spec.scaling.hpa.maxReplicas + 1 });
    expect(kindCpuProblem(bigger, 2)).toMatch(/needs 3 cores/);
  });
});

function readKindConfig(): StackConfig {
  loadStackFile(KIND_STACK_FILE);
  return readInfraConfig(new pulumi.Config('ts-gateway-kit')).stack;
}
